package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.llm.PromptSecrets;
import dev.arkonis.ark.activities.memory.MemoryActivitiesImpl;
import dev.arkonis.ark.activities.status.ArkRunStatus;
import dev.arkonis.ark.activities.tools.ToolActivitiesImpl;
import dev.arkonis.ark.activities.visibility.SearchAttributeSetup;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.Phases;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.worker.Worker;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Executes one {@link RunPlan} on a Temporal service with the orchestration worker and one worker
 * per agent task queue in this process, showing progress from the workflow's query.
 */
final class LocalRun {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /**
   * How to run: provider choice, mock behaviour (the per-role script of {@code --mock-script}, or
   * null), which Temporal, and the activity slots of each agent task queue ({@code
   * limits.maxConcurrentTasks}; a queue not listed gets the default).
   */
  record Options(
      String provider,
      Duration mockLatency,
      double mockFailRate,
      String temporalAddress,
      String temporalNamespace,
      Map<String, Integer> agentSlots,
      MockScript mockScript) {
    Options(
        String provider,
        Duration mockLatency,
        double mockFailRate,
        String temporalAddress,
        String temporalNamespace,
        Map<String, Integer> agentSlots) {
      this(
          provider,
          mockLatency,
          mockFailRate,
          temporalAddress,
          temporalNamespace,
          agentSlots,
          null);
    }
  }

  private static final Duration BUDGET_REPORT_WAIT = Duration.ofSeconds(15);

  private final Options options;
  private final PrintWriter out;
  private final PrintWriter err;
  private final PromptSecrets secrets;

  LocalRun(Options options, PrintWriter out, PrintWriter err) {
    this(options, out, err, PromptSecrets.NONE);
  }

  /** As above; Secret-backed system prompts are read through {@code secrets} by the chat worker. */
  LocalRun(Options options, PrintWriter out, PrintWriter err, PromptSecrets secrets) {
    this.options = options;
    this.out = out;
    this.err = err;
    this.secrets = secrets;
  }

  int execute(RunPlan plan, String format, boolean watch) {
    if (plan.notifyRef() != null) {
      // no Kubernetes objects to render messages from and no Secrets to send them with
      err.println(
          "note: ArkNotify "
              + plan.notifyRef()
              + " gets no events from `ark run`; the operator and `ark dev` deliver notifications");
      plan = plan.withNotify(null);
    }
    PayloadWarmUp.start(plan);
    try (TemporalConnection temporal =
        options.temporalAddress() == null
            ? TemporalConnection.embedded(false)
            : TemporalConnection.connect(
                options.temporalAddress(), options.temporalNamespace(), false)) {
      String override = providerOverride(plan);
      Worker orchestrator = temporal.newWorker(TeamRunWorkflow.TASK_QUEUE);
      orchestrator.registerWorkflowImplementationTypes(WorkflowTypes.ALL);
      orchestrator.registerActivitiesImplementations(new LocalBudgetReports(err));
      AgentActivitiesImpl activities =
          new AgentActivitiesImpl(
                  new ModelFactory(
                      System.getenv(),
                      override,
                      MockChatModel.Options.DEFAULT
                          .withLatency(options.mockLatency())
                          .withFailRate(options.mockFailRate()),
                      options.mockScript()),
                  LocalBudgetReports.dailyBudgets(temporal.client()))
              .withPromptSecrets(secrets);
      MemoryActivitiesImpl memory =
          new MemoryActivitiesImpl(
              secrets::value, MemoryActivitiesImpl.defaultDir(System.getenv()));
      try (ToolActivitiesImpl tools = new ToolActivitiesImpl()) {
        Set<String> queues = new LinkedHashSet<>();
        plan.allAgents().values().forEach(a -> queues.add(a.taskQueue()));
        queues.forEach(
            q ->
                temporal
                    .newAgentWorker(
                        q,
                        options
                            .agentSlots()
                            .getOrDefault(q, AgentWorkerOptions.DEFAULT_MAX_CONCURRENT_TASKS))
                    .registerActivitiesImplementations(activities, tools, memory));
        temporal.start();
        int exit = runAndReport(temporal.client(), plan, format, watch);
        awaitBudgetReports(temporal.client(), plan);
        temporal.close();
        return exit;
      }
    }
  }

  /**
   * Waits (at most {@link #BUDGET_REPORT_WAIT}) until the daily ledgers of the plan's agents have
   * reported a crossing or freeing of their window, so the line it prints is not lost at exit.
   */
  private static void awaitBudgetReports(WorkflowClient client, RunPlan plan) {
    long deadline = System.nanoTime() + BUDGET_REPORT_WAIT.toNanos();
    for (AgentSpec agent : plan.allAgents().values()) {
      if (agent.maxDailyTokens() <= 0) {
        continue;
      }
      String id = BudgetLedgerWorkflow.workflowId(plan.namespace(), agent.agent());
      while (System.nanoTime() < deadline) {
        try {
          if (client.newWorkflowStub(BudgetLedgerWorkflow.class, id).usage().settled()) {
            break;
          }
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        } catch (RuntimeException e) {
          break; // no ledger (no call was made) or it completed
        }
      }
    }
  }

  private int runAndReport(WorkflowClient client, RunPlan plan, String format, boolean watch) {
    String workflowId = RunPlan.workflowId(plan.namespace(), plan.runName());
    WorkflowOptions workflowOptions =
        SearchAttributeSetup.forRun(
                WorkflowOptions.newBuilder()
                    .setWorkflowId(workflowId)
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .setMemo(Map.of("team", plan.team(), "input", plan.input()))
                    .setStaticSummary("ArkTeam " + plan.team() + " · run " + plan.runName()),
                client,
                plan.namespace(),
                plan.team(),
                plan.runName())
            .build();
    TeamRunWorkflow workflow = client.newWorkflowStub(TeamRunWorkflow.class, workflowOptions);
    WorkflowExecution execution = WorkflowClient.start(workflow::run, plan);
    WorkflowStub stub = WorkflowStub.fromTyped(workflow);
    CompletableFuture<RunStatus> result = stub.getResultAsync(RunStatus.class);
    boolean text = format.equals("text");
    boolean terminal = System.console() != null;
    RunPrinter printer = new RunPrinter(out, terminal);
    if (text) {
      out.println(
          "Running " + plan.team() + " as " + plan.runName() + " (workflow " + workflowId + ")");
    }
    RunStatus status = null;
    while (true) {
      try {
        status = result.get(250, TimeUnit.MILLISECONDS);
        break;
      } catch (TimeoutException e) {
        if (text && (watch || terminal)) {
          printer.live(query(workflow), System.currentTimeMillis());
        }
      } catch (ExecutionException e) {
        status = query(workflow);
        if (status == null) {
          err.println("error: run " + plan.runName() + " failed: " + e.getCause().getMessage());
          return Main.EXIT_RUN_FAILED;
        }
        break;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Main.EXIT_RUN_FAILED;
      }
    }
    if (text) {
      printer.summary(plan.runName(), workflowId, status);
    } else {
      out.println(arkRunJson(plan, status, workflowId, execution.getRunId()));
      out.flush();
    }
    return Phases.SUCCEEDED.equals(status.phase()) ? 0 : Main.EXIT_RUN_FAILED;
  }

  private static RunStatus query(TeamRunWorkflow workflow) {
    try {
      return workflow.status();
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The run as {@code kubectl get arkrun -o json} shows it. */
  static String arkRunJson(RunPlan plan, RunStatus status, String workflowId, String runId) {
    ObjectNode run = JSON.createObjectNode();
    run.put("apiVersion", "arkonis.dev/v1alpha1");
    run.put("kind", "ArkRun");
    ObjectNode metadata = run.putObject("metadata");
    metadata.put("name", plan.runName());
    metadata.put("namespace", plan.namespace());
    metadata.putObject("labels").put("arkonis.dev/team", plan.team());
    metadata.put("creationTimestamp", status.startTime().replaceAll("\\.\\d+Z$", "Z"));
    ObjectNode spec = run.putObject("spec");
    spec.putObject("teamRef").put("name", plan.team());
    spec.set("input", JSON.valueToTree(plan.input()));
    run.set("status", ArkRunStatus.toJson(status, workflowId, runId));
    try {
      return JSON.writeValueAsString(run);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@code --provider}: an explicit provider for every agent; {@code auto} keeps each agent's
   * provider when its key or base URL is set and falls back to the mock model otherwise, with a
   * one-line notice.
   */
  private String providerOverride(RunPlan plan) {
    String choice = options.provider();
    Map<String, String> env = System.getenv();
    if (!choice.equals(ModelFactory.AUTO)) {
      if (!ModelFactory.PROVIDERS.contains(choice)) {
        throw new UserError(
            "--provider " + choice + ": use auto, " + String.join(", ", ModelFactory.PROVIDERS));
      }
      if (!ModelFactory.available(choice, env)) {
        String variable = ModelFactory.keyVariable(choice);
        throw new UserError(
            "--provider "
                + choice
                + " needs "
                + (variable != null ? variable : ModelFactory.urlVariable(choice))
                + " in the environment; set it or use --provider mock");
      }
      return choice;
    }
    Map<String, List<String>> mocked = new LinkedHashMap<>();
    for (AgentSpec agent : plan.allAgents().values()) {
      String wanted = ModelFactory.resolveProvider(agent, null, env);
      if (!wanted.equals(ModelFactory.MOCK)
          && ModelFactory.resolveProvider(agent, ModelFactory.AUTO, env)
              .equals(ModelFactory.MOCK)) {
        String need =
            wanted.equals(ModelFactory.OPENAI) && !ModelFactory.isOpenAiModel(agent.model())
                ? "OPENAI_BASE_URL (an OpenAI-compatible server such as Ollama or vLLM)"
                : Objects.requireNonNullElse(
                    ModelFactory.keyVariable(wanted), ModelFactory.urlVariable(wanted));
        mocked.computeIfAbsent(need, k -> new ArrayList<>()).add(agent.role());
      }
    }
    mocked.forEach(
        (need, roles) -> {
          err.println(
              "ark: no "
                  + need
                  + " set; role"
                  + (roles.size() > 1 ? "s " : " ")
                  + String.join(", ", roles)
                  + " use the mock model (set it, or pass --provider)");
        });
    err.flush();
    return ModelFactory.AUTO;
  }
}
