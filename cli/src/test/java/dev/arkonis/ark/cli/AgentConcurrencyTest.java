package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import io.temporal.client.WorkflowOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code limits.maxConcurrentTasks} is the agent worker's number of activity slots: a team whose
 * three steps run in parallel on one agent never has more model calls in flight than the limit.
 */
class AgentConcurrencyTest {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  /** Three independent steps, all played by the one role "worker". */
  private static final String TEAM =
      """
      roles:
        - name: worker
          model: counting
          provider: mock
      pipeline:
        - {name: a, role: worker, inputs: {prompt: "a"}}
        - {name: b, role: worker, inputs: {prompt: "b"}}
        - {name: c, role: worker, inputs: {prompt: "c"}}
      """;

  @Test
  void oneSlotNeverRunsTwoModelCallsAtOnce() throws Exception {
    assertThat(maxInFlight(1)).isEqualTo(1);
  }

  @Test
  void twoSlotsRunTwoModelCallsAtOnceButNotThree() throws Exception {
    assertThat(maxInFlight(2)).isEqualTo(2);
  }

  @Test
  void theLimitComesFromTheRoleOrTheArkAgentAndDefaultsToFive() throws Exception {
    JsonNode team =
        YAML.readTree(
            """
            roles:
              - {name: inline, model: m, limits: {maxConcurrentTasks: 3}}
              - {name: plain, model: m}
              - {name: shared, arkAgent: pool}
            pipeline:
              - {role: inline}
            """);
    JsonNode pool = YAML.readTree("{model: m, limits: {maxConcurrentTasks: 7}}");
    RunPlanner.References refs = new AgentOnly(pool);
    assertThat(AgentWorkerOptions.forTeam("ns", "t", team, refs))
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "ark/ns/t-inline", 3,
                "ark/ns/t-plain", 5,
                "ark/ns/pool", 7));
  }

  @Test
  void arkAgentReadsItsLimitFromTheOperatorsConfig(@TempDir Path config) throws Exception {
    assertThat(AgentCommand.maxConcurrentTasks(config)).isEqualTo(5);
    Files.writeString(config.resolve("limits.json"), "{\"maxConcurrentTasks\":2}");
    assertThat(AgentCommand.maxConcurrentTasks(config)).isEqualTo(2);
    Files.writeString(config.resolve("limits.json"), "null");
    assertThat(AgentCommand.maxConcurrentTasks(config)).isEqualTo(5);
  }

  /** Runs the team with an agent worker of {@code slots}; the most model calls seen at once. */
  private static int maxInFlight(int slots) throws Exception {
    CountingModel model = new CountingModel(slots + 1);
    RunPlan plan =
        new RunPlanner(new AgentOnly(null), notice -> {}, false)
            .plan(
                "ns",
                "par",
                YAML.readTree(TEAM),
                "par-1",
                Map.of(),
                Map.of(),
                Map.of(),
                null,
                null);
    try (TemporalConnection temporal = TemporalConnection.embedded()) {
      temporal
          .newWorker(TeamRunWorkflow.TASK_QUEUE)
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
      temporal
          .newAgentWorker(RunPlan.taskQueue("ns", "par-worker"), slots)
          .registerActivitiesImplementations(new AgentActivitiesImpl(model.models()));
      temporal.start();
      TeamRunWorkflow run =
          temporal
              .client()
              .newWorkflowStub(
                  TeamRunWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(RunPlan.workflowId("ns", "par-1"))
                      .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                      .build());
      RunStatus status = run.run(plan);
      assertThat(status.phase()).isEqualTo("Succeeded");
    }
    assertThat(model.calls).isEqualTo(3);
    return model.max;
  }

  /**
   * A model that counts the calls in flight. A call waits until {@code waitFor} calls are in flight
   * (or a second has passed, so a worker within its limit still progresses): a worker with more
   * slots than its limit would reach {@code waitFor}.
   */
  private static final class CountingModel implements ChatModel {
    private final int waitFor;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private int inFlight;
    private int max;
    private int calls;

    CountingModel(int waitFor) {
      this.waitFor = waitFor;
    }

    ChatModels models() {
      ChatModel self = this;
      return new ChatModels() {
        @Override
        public String provider(AgentSpec agent) {
          return "mock";
        }

        @Override
        public ChatModel model(AgentSpec agent) {
          return self;
        }
      };
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
      lock.lock();
      try {
        inFlight++;
        calls++;
        max = Math.max(max, inFlight);
        changed.signalAll();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        while (inFlight < waitFor && System.nanoTime() < deadline) {
          changed.await(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
        }
        inFlight--;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        lock.unlock();
      }
      return ChatResponse.builder()
          .aiMessage(AiMessage.from("done"))
          .tokenUsage(new TokenUsage(1, 1))
          .finishReason(FinishReason.STOP)
          .build();
    }
  }

  /** References with one ArkAgent (any name) and nothing else. */
  private record AgentOnly(JsonNode agent) implements RunPlanner.References {
    @Override
    public Optional<JsonNode> agent(String name) {
      return Optional.ofNullable(agent);
    }

    @Override
    public Optional<JsonNode> settings(String name) {
      return Optional.empty();
    }

    @Override
    public Optional<String> key(boolean secret, String name, String key) {
      return Optional.empty();
    }
  }
}
