package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.google.protobuf.Message;
import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.bridge.codec.CodecKeys;
import dev.arkonis.ark.bridge.codec.PayloadEncryption;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.RunStatus;
import dev.arkonis.ark.workflows.api.SecretRef;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import io.temporal.api.common.v1.Payload;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.worker.WorkerFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Secrets and Temporal history on a real dev server ({@code ARK_TEST_TEMPORAL_ADDRESS}): a
 * Secret-backed system prompt reaches the model but no history event, status or log line; with the
 * payload codec on, the stored history holds no plaintext at all.
 */
class SecretsInHistoryIT {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SECRET_PROMPT =
      "You are Agent Nightjar. Vault phrase: OKAPI-5531-TANGO.";
  private static final String SECRET_MARK = "OKAPI-5531";
  private static final String TOPIC = "plaintext topic ZEPHYR-208";

  private static String address;
  private static WorkflowServiceStubs service;

  @BeforeAll
  static void connect() {
    address = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (address == null || address.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, which starts a"
              + " Temporal dev server and sets it");
    }
    service =
        WorkflowServiceStubs.newConnectedServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget(address).build(),
            Duration.ofSeconds(10));
  }

  @AfterAll
  static void disconnect() {
    if (service != null) {
      service.shutdownNow();
      service.awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  @Test
  void aSecretPromptReachesTheModelButNotTheHistory() throws Exception {
    List<String> systemPrompts = new CopyOnWriteArrayList<>();
    String namespace = "secrets-" + suffix();
    Ran ran = run(namespace, DefaultDataConverter.STANDARD_INSTANCE, systemPrompts);

    assertThat(ran.status().phase()).isEqualTo("Succeeded");
    assertThat(systemPrompts).isNotEmpty().allSatisfy(p -> assertThat(p).contains(SECRET_PROMPT));
    List<String> decoded = payloadTexts(ran.workflowId(), Optional.empty());
    assertThat(String.join("\n", decoded))
        .as("every payload of the history, decoded")
        .contains(SecretRef.PLACEHOLDER)
        .contains("\"name\":\"prompts\"")
        .doesNotContain(SECRET_MARK);
    assertThat(JSON.writeValueAsString(ran.status())).doesNotContain(SECRET_MARK);
  }

  @Test
  void withTheCodecOnTheStoredHistoryHoldsNoPlaintext() throws Exception {
    CodecKeys keys =
        CodecKeys.parse("it-" + suffix() + "=" + key() + "\nolder=" + key(), "test keys");
    String namespace = "codec-" + suffix();
    Ran ran = run(namespace, PayloadEncryption.dataConverter(keys), new CopyOnWriteArrayList<>());

    assertThat(ran.status().phase()).isEqualTo("Succeeded");
    List<Payload> raw = payloads(ran.workflowId());
    // the SDK writes its version markers (Workflow.getVersion) without the data converter: they
    // hold ark's change ids and version numbers, nothing of the run
    List<Payload> markers = versionMarkerPayloads(ran.workflowId());
    assertThat(markers)
        .isNotEmpty()
        .allSatisfy(p -> assertThat(p.getData().toStringUtf8()).matches("\"[a-z-]+\"|-?[0-9]+"));
    raw.removeAll(markers);
    assertThat(raw).hasSizeGreaterThan(5);
    assertThat(raw)
        .allSatisfy(
            p -> {
              assertThat(PayloadEncryption.keyId(p)).isEqualTo(keys.currentId());
              assertThat(new String(p.toByteArray(), StandardCharsets.ISO_8859_1))
                  .doesNotContain("ZEPHYR")
                  .doesNotContain("writer")
                  .doesNotContain("json/plain");
            });
    String decoded = String.join("\n", payloadTexts(ran.workflowId(), Optional.of(keys)));
    assertThat(decoded).contains(TOPIC).contains("[recorded]").doesNotContain(SECRET_MARK);
  }

  /** {@code ark run} as users run it: its output (ArkRun status), its log and the history. */
  @Test
  void arkRunPrintsLogsAndStoresNothingOfTheSecret(@TempDir Path dir) throws Exception {
    String namespace = "secrets-" + suffix();
    Path file = dir.resolve("team.yaml");
    Files.writeString(
        file,
        """
        apiVersion: v1
        kind: Secret
        metadata: {name: prompts, namespace: %1$s}
        stringData: {writer: "%2$s"}
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata: {name: vault, namespace: %1$s}
        spec:
          roles:
            - name: writer
              model: m
              provider: mock
              systemPromptRef: {secretKeyRef: {name: prompts, key: writer}}
          pipeline:
            - role: writer
              inputs: {prompt: "Write about {{ .input.topic }}"}
          inputs:
            - {name: topic, required: true}
        """
            .formatted(namespace, SECRET_PROMPT));
    ByteArrayOutputStream logs = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    Cli result;
    System.setErr(new PrintStream(new Tee(stderr, logs), true, StandardCharsets.UTF_8));
    try {
      result =
          Cli.run(
              "run",
              file.toString(),
              "--input",
              "{\"topic\": \"" + TOPIC + "\"}",
              "--temporal-address",
              address,
              "-o",
              "json",
              "--verbose");
    } finally {
      System.setErr(stderr);
    }

    assertThat(result.exitCode()).as("stderr: %s", result.err()).isZero();
    JsonNode arkRun = JSON.readTree(result.out());
    assertThat(arkRun.path("status").path("phase").asText()).isEqualTo("Succeeded");
    assertThat(result.out()).as("the ArkRun").doesNotContain(SECRET_MARK);
    assertThat(result.err() + logs.toString(StandardCharsets.UTF_8))
        .as("what ark run logged")
        .doesNotContain(SECRET_MARK);
    String history =
        String.join(
            "\n",
            payloadTexts(arkRun.path("status").path("workflowId").asText(), Optional.empty()));
    assertThat(history).contains(TOPIC).doesNotContain(SECRET_MARK);
  }

  private record Ran(String workflowId, RunStatus status) {}

  private static Ran run(String namespace, DataConverter converter, List<String> systemPrompts)
      throws IOException {
    RunPlan plan = plan(namespace);
    WorkflowClient client =
        WorkflowClient.newInstance(
            service,
            WorkflowClientOptions.newBuilder()
                .setNamespace("default")
                .setDataConverter(converter)
                .build());
    WorkerFactory factory = WorkerFactory.newInstance(client);
    try {
      factory
          .newWorker(TeamRunWorkflow.TASK_QUEUE)
          .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
      factory
          .newWorker(plan.agents().get("writer").taskQueue())
          .registerActivitiesImplementations(
              new AgentActivitiesImpl(ChatModels.of("mock", recording(systemPrompts)))
                  .withPromptSecrets(
                      ref ->
                          ref.equals(new SecretRef(namespace, "prompts", "writer"))
                              ? Optional.of(SECRET_PROMPT)
                              : Optional.empty()));
      factory.start();
      String workflowId = RunPlan.workflowId(namespace, plan.runName());
      RunStatus status =
          client
              .newWorkflowStub(
                  TeamRunWorkflow.class,
                  WorkflowOptions.newBuilder()
                      .setWorkflowId(workflowId)
                      .setTaskQueue(TeamRunWorkflow.TASK_QUEUE)
                      .setMemo(Map.of("team", plan.team(), "input", plan.input()))
                      .setWorkflowExecutionTimeout(Duration.ofMinutes(2))
                      .build())
              .run(plan);
      return new Ran(workflowId, status);
    } finally {
      factory.shutdown();
      factory.awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  private static RunPlan plan(String namespace) throws IOException {
    JsonNode team =
        YAML.readTree(
            """
            roles:
              - name: writer
                model: m
                provider: mock
                systemPromptRef: {secretKeyRef: {name: prompts, key: writer}}
            pipeline:
              - role: writer
                inputs: {prompt: "Write about {{ .input.topic }}"}
            """);
    RunPlanner.References refs =
        new RunPlanner.References() {
          @Override
          public Optional<JsonNode> agent(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<JsonNode> settings(String name) {
            return Optional.empty();
          }

          @Override
          public Optional<String> key(boolean secret, String name, String key) {
            return secret && name.equals("prompts") ? Optional.of(SECRET_PROMPT) : Optional.empty();
          }
        };
    return new RunPlanner(refs, notice -> {}, false)
        .requiringReferences()
        .plan(
            namespace,
            "vault",
            team,
            "vault-" + suffix(),
            Map.of("topic", TOPIC),
            Map.of(),
            Map.of(),
            null,
            null);
  }

  /** A model that records the system prompts it is sent and answers without repeating them. */
  private static ChatModel recording(List<String> systemPrompts) {
    return new ChatModel() {
      @Override
      public ChatResponse doChat(dev.langchain4j.model.chat.request.ChatRequest request) {
        request.messages().stream()
            .filter(SystemMessage.class::isInstance)
            .forEach(m -> systemPrompts.add(((SystemMessage) m).text()));
        return ChatResponse.builder()
            .aiMessage(AiMessage.from("[recorded] an answer about the topic"))
            .tokenUsage(new TokenUsage(10, 5))
            .build();
      }
    };
  }

  /** Every payload of the workflow's history, as Temporal stores it. */
  private static List<Payload> payloads(String workflowId) {
    return payloads(workflowId, e -> true);
  }

  private static List<Payload> payloads(
      String workflowId, java.util.function.Predicate<HistoryEvent> of) {
    WorkflowClient plain =
        WorkflowClient.newInstance(
            service, WorkflowClientOptions.newBuilder().setNamespace("default").build());
    List<Payload> out = new ArrayList<>();
    for (HistoryEvent event : plain.fetchHistory(workflowId).getEvents()) {
      if (of.test(event)) {
        collect(event, out);
      }
    }
    return out;
  }

  /** The payloads of the history's {@code Version} markers. */
  private static List<Payload> versionMarkerPayloads(String workflowId) {
    return payloads(
        workflowId,
        e ->
            e.hasMarkerRecordedEventAttributes()
                && "Version".equals(e.getMarkerRecordedEventAttributes().getMarkerName()));
  }

  /** The data of every payload, decrypted with {@code keys} when given, as UTF-8 text. */
  private static List<String> payloadTexts(String workflowId, Optional<CodecKeys> keys) {
    List<Payload> payloads = payloads(workflowId);
    if (keys.isPresent()) {
      payloads = new PayloadEncryption(keys.get()).decode(payloads);
    }
    return payloads.stream().map(p -> p.getData().toStringUtf8()).toList();
  }

  private static void collect(Message message, List<Payload> out) {
    if (message instanceof Payload payload) {
      out.add(payload);
      return;
    }
    message
        .getAllFields()
        .forEach(
            (field, value) -> {
              if (value instanceof Message m) {
                collect(m, out);
              } else if (value instanceof List<?> list) {
                list.forEach(
                    item -> {
                      if (item instanceof Message m) {
                        collect(m, out);
                      }
                    });
              }
            });
  }

  private static String suffix() {
    return UUID.randomUUID().toString().substring(0, 8);
  }

  private static String key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  /** Writes to both streams. */
  private static final class Tee extends OutputStream {
    private final OutputStream a;
    private final OutputStream b;

    Tee(OutputStream a, OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }
  }
}
