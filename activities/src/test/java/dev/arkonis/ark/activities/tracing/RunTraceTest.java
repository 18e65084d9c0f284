package dev.arkonis.ark.activities.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.activities.llm.MockChatModel;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.activities.llm.ScriptedReply;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.workflows.api.AgentSpec;
import dev.arkonis.ark.workflows.api.ChatMessage;
import dev.arkonis.ark.workflows.api.ChatRequest;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.api.ToolActivities;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import dev.langchain4j.model.chat.ChatModel;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.WorkerFactoryOptions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One run gives one connected trace: a two-step pipeline whose first step delegates (the mock model
 * calls the {@code delegate} tool), run with the tracing interceptors and an in-memory exporter.
 * The workflow cache is off, so every workflow task replays the history from the start: the spans
 * recorded from workflow code must come out once, with the ids their calls point at.
 */
class RunTraceTest {
  private static final String TEAM =
      """
      inputs:
        - {name: topic, type: string}
      roles:
        - name: lead
          model: lead-model
          systemPrompt: "Role: lead"
          canDelegate: [helper]
        - name: helper
          model: helper-model
          systemPrompt: "Role: helper"
        - name: writer
          model: writer-model
          systemPrompt: "Role: writer"
          mcpServers:
            - {name: kb, url: "http://127.0.0.1:9/mcp"}
      pipeline:
        - role: lead
          inputs: {prompt: "Plan a post about {{ .input.topic }}"}
        - role: writer
          dependsOn: [lead]
          inputs: {prompt: "Write it: {{ .steps.lead.output }}"}
      """;

  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private TestWorkflowEnvironment env;

  @AfterEach
  void tearDown() {
    if (env != null) {
      env.close();
    }
  }

  private List<SpanData> run(boolean content) throws Exception {
    SdkTracerProvider provider =
        SdkTracerProvider.builder()
            .setIdGenerator(RunTracing.idGenerator())
            .addSpanProcessor(SimpleSpanProcessor.create(exporter))
            .build();
    RunTracing tracing = RunTracing.of(provider, content);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder()
                .setWorkflowClientOptions(
                    WorkflowClientOptions.newBuilder()
                        .setInterceptors(tracing.clientInterceptor())
                        .build())
                .setWorkerFactoryOptions(
                    WorkerFactoryOptions.newBuilder()
                        .setWorkerInterceptors(tracing.workerInterceptor())
                        .setWorkflowCacheSize(0)
                        .build())
                .build());
    RunPlan plan = plan();
    env.newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    AgentActivitiesImpl model = new AgentActivitiesImpl(new WriterLooksUp());
    plan.agents().values().stream()
        .map(a -> a.taskQueue())
        .distinct()
        .forEach(
            q -> env.newWorker(q).registerActivitiesImplementations(model, new KnowledgeBase()));
    env.start();
    TeamRunWorkflow workflow =
        env.getWorkflowClient()
            .newWorkflowStub(
                TeamRunWorkflow.class,
                WorkflowOptions.newBuilder()
                    .setWorkflowId(RunPlan.workflowId(plan.namespace(), plan.runName()))
                    .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                    .build());
    RunStatus status = workflow.run(plan);
    assertThat(status.phase()).as("run: %s", status.message()).isEqualTo("Succeeded");
    // a query of the closed workflow replays it to the end: nothing is recorded twice
    assertThat(workflow.status().phase()).isEqualTo("Succeeded");
    tracing.flush();
    return exporter.getFinishedSpanItems();
  }

  /** The mock model; the writer's calls the {@code kb__lookup} tool once, then answers. */
  private static final class WriterLooksUp implements ChatModels {
    private final ChatModels mock =
        new ModelFactory(Map.of(), "mock", MockChatModel.Options.DEFAULT);
    private final MockChatModel writer =
        MockChatModel.scripted(
            List.of(
                new ScriptedReply(
                    null,
                    List.of(
                        new ChatMessage.ToolCall("call-1", "kb__lookup", "{\"q\": \"durable\"}")),
                    null,
                    null,
                    null,
                    null),
                new ScriptedReply("A post with the facts.", List.of(), null, null, null, null)));

    @Override
    public String provider(AgentSpec agent) {
      return "mock";
    }

    @Override
    public ChatModel model(AgentSpec agent) {
      return agent.model().equals("writer-model") ? writer : mock.model(agent);
    }
  }

  /** The writer's MCP server {@code kb} with one tool (the tool activities are ours to trace). */
  private static final class KnowledgeBase implements ToolActivities {
    @Override
    public ToolList listTools(AgentSpec agent) {
      return new ToolList(
          List.of(
              new ChatRequest.ToolSpec(
                  "kb__lookup",
                  "Looks a fact up.",
                  "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":\"string\"}}}")),
          List.of());
    }

    @Override
    public ToolResult callTool(ToolCallRequest request) {
      return new ToolResult("durable: survives restarts", false);
    }
  }

  private static RunPlan plan() throws Exception {
    RunPlanner.References none =
        new RunPlanner.References() {
          @Override
          public Optional<com.fasterxml.jackson.databind.JsonNode> agent(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<com.fasterxml.jackson.databind.JsonNode> settings(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<String> key(boolean secret, String name, String key) {
            return Optional.empty();
          }
        };
    return new RunPlanner(none, notice -> {}, true)
        .plan(
            "ns",
            "blog",
            new ObjectMapper(new YAMLFactory()).readTree(TEAM),
            "blog-1",
            Map.of("topic", "tracing"),
            Map.of(),
            Map.of(),
            null,
            null);
  }

  private static SpanData one(List<SpanData> spans, String name) {
    List<SpanData> named = spans.stream().filter(s -> s.getName().equals(name)).toList();
    assertThat(named).as("spans named %s in %s", name, names(spans)).hasSize(1);
    return named.get(0);
  }

  private static List<SpanData> all(List<SpanData> spans, Predicate<SpanData> which) {
    return spans.stream().filter(which).toList();
  }

  private static List<String> names(List<SpanData> spans) {
    return spans.stream().map(SpanData::getName).toList();
  }

  @Test
  void oneRunIsOneConnectedTraceRunStepCall() throws Exception {
    List<SpanData> spans = run(false);

    SpanData start = one(spans, "StartWorkflow:TeamRun");
    SpanData run = one(spans, "ark.run");
    SpanData lead = one(spans, "ark.step lead");
    SpanData writer = one(spans, "ark.step writer");
    SpanData delegation = one(spans, "ark.delegation helper");
    List<SpanData> leadChats = all(spans, s -> s.getName().equals("chat lead-model"));
    SpanData helperChat = one(spans, "chat helper-model");
    List<SpanData> writerChats = all(spans, s -> s.getName().equals("chat writer-model"));
    assertThat(writerChats).hasSize(2); // the tool call, then the answer
    SpanData writerChat = writerChats.get(1);
    SpanData tool = one(spans, "execute_tool kb__lookup");

    // one trace, every span's parent is in it
    assertThat(spans).extracting(SpanData::getTraceId).containsOnly(start.getTraceId());
    List<String> ids = spans.stream().map(SpanData::getSpanId).toList();
    assertThat(ids).doesNotHaveDuplicates();
    assertThat(spans)
        .filteredOn(s -> s != start)
        .allSatisfy(
            s -> assertThat(ids).as("parent of %s", s.getName()).contains(s.getParentSpanId()));
    assertThat(start.getParentSpanContext().isValid()).isFalse();

    assertThat(run.getParentSpanId()).isEqualTo(start.getSpanId());
    assertThat(lead.getParentSpanId()).isEqualTo(run.getSpanId());
    assertThat(writer.getParentSpanId()).isEqualTo(run.getSpanId());
    assertThat(leadChats)
        .hasSizeGreaterThanOrEqualTo(2) // the delegate call, then the answer
        .allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(lead.getSpanId()));
    assertThat(delegation.getParentSpanId()).isEqualTo(lead.getSpanId());
    assertThat(helperChat.getParentSpanId()).isEqualTo(delegation.getSpanId());
    assertThat(writerChats)
        .allSatisfy(c -> assertThat(c.getParentSpanId()).isEqualTo(writer.getSpanId()));
    assertThat(tool.getParentSpanId()).isEqualTo(writer.getSpanId());
    assertThat(tool.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")))
        .isEqualTo("execute_tool");
    assertThat(lead.getEndEpochNanos()).isLessThanOrEqualTo(writer.getStartEpochNanos());
    assertThat(run.getAttributes().get(AttributeKey.stringKey("ark.phase"))).isEqualTo("Succeeded");

    // GenAI semantic conventions on the LLM spans
    assertThat(writerChat.getAttributes().get(AttributeKey.stringKey("gen_ai.operation.name")))
        .isEqualTo("chat");
    assertThat(writerChat.getAttributes().get(AttributeKey.stringKey("gen_ai.request.model")))
        .isEqualTo("writer-model");
    assertThat(writerChat.getAttributes().get(AttributeKey.longKey("gen_ai.usage.input_tokens")))
        .isPositive();
    assertThat(writerChat.getAttributes().get(AttributeKey.longKey("gen_ai.usage.output_tokens")))
        .isPositive();
    assertThat(writerChat.getAttributes().get(ActivitySpans.FINISH_REASONS))
        .containsExactly("stop");
    assertThat(leadChats.get(0).getAttributes().get(ActivitySpans.FINISH_REASONS))
        .containsExactly("tool_calls");
    assertThat(writerChat.getAttributes().get(AttributeKey.stringKey("gen_ai.provider.name")))
        .isEqualTo("mock");

    // no prompt or answer text unless asked for
    assertThat(spans)
        .allSatisfy(
            s ->
                assertThat(s.getAttributes().asMap().keySet())
                    .extracting(AttributeKey::getKey)
                    .doesNotContain("gen_ai.input.messages", "gen_ai.output.messages"));
    assertThat(spans.toString()).doesNotContain("Plan a post about tracing");
  }

  @Test
  void promptsAreRecordedOnlyWhenAskedFor() throws Exception {
    List<SpanData> spans = run(true);

    SpanData leadChat = all(spans, s -> s.getName().equals("chat lead-model")).get(0);
    assertThat(leadChat.getAttributes().get(AttributeKey.stringKey("gen_ai.input.messages")))
        .contains("Plan a post about tracing");
  }
}
