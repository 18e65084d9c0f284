package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.activities.llm.AgentActivitiesImpl;
import dev.arkonis.ark.activities.llm.ChatModels;
import dev.arkonis.ark.bridge.Fixtures;
import dev.arkonis.ark.bridge.status.RunStatusActivitiesImpl;
import dev.arkonis.ark.bridge.status.StatusWriter;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import dev.arkonis.ark.workflows.api.RunPlan;
import dev.arkonis.ark.workflows.api.TeamRunWorkflow;
import dev.arkonis.ark.workflows.run.WorkflowTypes;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Deleting a running ArkRun stops the model call its workflow is waiting for. */
@EnableKubernetesMockClient(crud = true)
class RunDeletionTest {
  static final String NS = "ark-delete";
  static KubernetesClient client;

  private TestWorkflowEnvironment env;
  private final CountDownLatch called = new CountDownLatch(1);
  private final CountDownLatch interrupted = new CountDownLatch(1);

  /** A provider that answers after 10 minutes, unless its call is interrupted. */
  private final ChatModel slow =
      new ChatModel() {
        @Override
        public ChatResponse doChat(ChatRequest request) {
          called.countDown();
          try {
            Thread.sleep(Duration.ofMinutes(10).toMillis());
          } catch (InterruptedException e) {
            interrupted.countDown();
            Thread.currentThread().interrupt();
          }
          throw new IllegalStateException("no answer");
        }
      };

  @BeforeEach
  void setUp() throws Exception {
    CrdCatalog.install(client);
    env =
        TestWorkflowEnvironment.newInstance(
            TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
    try (InputStream in = Fixtures.open("blog-writer-team.yaml")) {
      client.load(in).inNamespace(NS).createOrReplace();
    }
  }

  @AfterEach
  void tearDown() {
    env.close();
    client.resources(ArkRun.class).inNamespace(NS).delete();
    client.resources(ArkTeam.class).inNamespace(NS).delete();
  }

  @Test
  void deletingARunningRunInterruptsItsModelCall() throws Exception {
    StatusWriter writer = new StatusWriter(client);
    env.newWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerWorkflowImplementationTypes(WorkflowTypes.ALL);
    env.getWorkerFactory()
        .getWorker(TeamRunWorkflow.TASK_QUEUE)
        .registerActivitiesImplementations(new RunStatusActivitiesImpl(writer, Clock.systemUTC()));
    env.newWorker(RunPlan.taskQueue(NS, "blog-writer-team-researcher"))
        .registerActivitiesImplementations(new AgentActivitiesImpl(ChatModels.of("mock", slow)));
    env.start();
    ArkRunReconciler reconciler =
        new ArkRunReconciler(
            client, env.getWorkflowClient(), writer, Clock.systemUTC(), (r, reason, m) -> {});
    String yaml =
        "apiVersion: arkonis.dev/v1alpha1\nkind: ArkRun\nmetadata:\n  name: gone\n"
            + "spec:\n  teamRef:\n    name: blog-writer-team\n  input: {topic: Deletion}\n";
    client
        .resources(ArkRun.class)
        .inNamespace(NS)
        .resource(client.getKubernetesSerialization().unmarshal(yaml, ArkRun.class))
        .create();
    reconciler.reconcile(NS, "gone");
    assertThat(called.await(30, TimeUnit.SECONDS)).as("the model call started").isTrue();
    // the status write of the step's start is done: no orchestrator activity is pending when the
    // cancellation comes (the in-process test server mishandles cancelling one not yet started)
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () -> {
              ArkRun run = client.resources(ArkRun.class).inNamespace(NS).withName("gone").get();
              return run.getStatus() != null
                  && run.getStatus().getSteps() != null
                  && run.getStatus().getSteps().stream()
                      .anyMatch(
                          step ->
                              step.getPhase() != null
                                  && "Running".equals(step.getPhase().getValue()));
            });

    client.resources(ArkRun.class).inNamespace(NS).withName("gone").delete();
    assertThatThrownBy(() -> reconciler.reconcile(NS, "gone"))
        .hasMessageContaining("waiting for workflow arkrun/" + NS + "/gone");

    // the cancellation reaches the call at the activity's next heartbeat (timeout 10 s)
    assertThat(interrupted.await(60, TimeUnit.SECONDS))
        .as("the model call was interrupted")
        .isTrue();
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .until(
            () -> {
              reconciler.reconcile(NS, "gone");
              return client.resources(ArkRun.class).inNamespace(NS).withName("gone").get() == null;
            });
  }
}
