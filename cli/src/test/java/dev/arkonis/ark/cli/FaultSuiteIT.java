package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.arkonis.ark.cli.ModelFixture.Hold;
import dev.arkonis.ark.cli.ModelFixture.Silent;
import dev.arkonis.ark.cli.ModelFixture.Status;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The reliability suite's faults on real parts (see {@link FaultRig}): each fault hits runs of a
 * three-step team mid-run, and every run must end in its expected phase with every succeeded step
 * answered by the model exactly once, one workflow execution per run, and no run lost. The results
 * table goes to {@code cli/target/fault-suite/results.md} (docs/reliability.md has the last one).
 * The last test greps the suite's logs, ArkRun statuses and Temporal histories for the secrets it
 * used.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultSuiteIT {
  private static final Duration END = Duration.ofSeconds(90);
  private static FaultRig rig;

  @BeforeAll
  static void start() throws Exception {
    rig = new FaultRig();
  }

  @AfterAll
  static void stop() throws Exception {
    if (rig == null) {
      return;
    }
    try {
      String table =
          "| fault | runs | final phases | duplicate steps | lost runs |\n|---|---|---|---|---|\n"
              + rig.results.stream()
                  .map(
                      r ->
                          "| %s | %d | %s | %d | %d |"
                              .formatted(
                                  r.fault(),
                                  r.runs(),
                                  r.phases(),
                                  r.duplicateSteps(),
                                  r.lostRuns()))
                  .collect(Collectors.joining("\n"))
              + "\n";
      Files.writeString(rig.logs.resolve("results.md"), table);
      System.out.println(table);
    } finally {
      rig.close();
    }
  }

  private static String name(String fault) {
    return fault + "-" + Long.toString(System.nanoTime() % 1_000_000_000L, 36);
  }

  @Test
  @Order(1)
  void aStepWhoseAgentWorkerIsKilledCompletesOnTheNextWorker() throws Exception {
    String run = name("agent-kill");
    Hold held = new Hold(false);
    rig.model.script(run, "draft", held);
    rig.createRun(run);
    assertThat(held.awaitArrival(END)).as("the draft step's model call").isTrue();

    rig.killAgent(); // SIGKILL while the call is in flight
    held.release();
    rig.startAgent();

    rig.check("agent worker SIGKILL mid-step", Map.of(run, "Succeeded"), END);
    assertThat(rig.model.calls(run, "draft")).isEqualTo(2);
    assertThat(rig.model.calls(run, "outline")).isEqualTo(1);
    assertThat(rig.model.calls(run, "polish")).isEqualTo(1);
  }

  @Test
  @Order(2)
  void anOperatorKilledMidRunFinishesItsRunsAfterARestart() throws Exception {
    String run = name("operator-kill");
    String whileDown = name("operator-down");
    Hold held = new Hold(true);
    rig.model.script(run, "draft", held);
    rig.createRun(run);
    assertThat(held.awaitArrival(END)).as("the draft step's model call").isTrue();

    rig.killOperator(); // SIGKILL: bridge and orchestration worker gone mid-run
    held.release(); // the agent finishes the call while no workflow worker runs
    rig.createRun(whileDown); // created while nobody watches
    Thread.sleep(2000);
    rig.startOperator();

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put(run, "Succeeded");
    expected.put(whileDown, "Succeeded");
    rig.check("operator SIGKILL mid-run, restarted", expected, END);
    for (String step : FaultRig.STEPS) {
      assertThat(rig.model.calls(run, step)).as(step).isEqualTo(1);
    }
  }

  @Test
  @Order(3)
  void runsSurviveTheTemporalServerKilledAndRestartedOnItsDatabase() throws Exception {
    String run = name("temporal-kill");
    Hold held = new Hold(true);
    rig.model.script(run, "draft", held);
    rig.createRun(run);
    assertThat(held.awaitArrival(END)).as("the draft step's model call").isTrue();

    rig.temporal.kill(); // SIGKILL to the dev server mid-run
    held.release(); // the agent gets its answer while the server is down ...
    // ... longer than the call's start-to-close limit: the attempt times out on restart
    Thread.sleep((FaultRig.CALL_TIMEOUT_SECONDS + 2) * 1000L);
    rig.temporal.restart(); // same --db-filename and port
    String after = name("temporal-after");
    rig.createRun(after);

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put(run, "Succeeded");
    expected.put(after, "Succeeded");
    rig.check("Temporal dev server SIGKILL, restarted on its database", expected, END);
  }

  @Test
  @Order(4)
  void modelRateLimitsServerErrorsAndTimeoutsAreRetriedABoundedNumberOfTimes() throws Exception {
    Map<String, String> expected = new LinkedHashMap<>();
    List<String> storm = List.of(name("storm-a"), name("storm-b"), name("storm-c"));
    for (String run : storm) {
      rig.model.script(run, "outline", new Status(429), new Status(429));
      rig.model.script(run, "draft", new Status(429));
      expected.put(run, "Succeeded");
    }
    String broken = name("server-500");
    rig.model.script(
        broken, "draft", new Status(500), new Status(500), new Status(500), new Status(500));
    expected.put(broken, "Failed");
    String slow = name("timeout");
    rig.model.script(
        slow, "outline", new Silent(Duration.ofSeconds(FaultRig.CALL_TIMEOUT_SECONDS + 3)));
    expected.put(slow, "Succeeded");
    for (String run : expected.keySet()) {
      rig.createRun(run);
    }

    rig.check("model 429 storm, 500s, timeouts", expected, END);
    for (String run : storm) {
      assertThat(rig.model.calls(run, "outline")).isEqualTo(3);
      assertThat(rig.model.calls(run, "draft")).isEqualTo(2);
    }
    // three attempts (the default), then the run fails and the next step never starts
    assertThat(rig.model.calls(broken, "draft")).isEqualTo(3);
    assertThat(rig.model.calls(broken, "polish")).isZero();
    assertThat(rig.status(broken).path("message").asText()).contains("failed 3 times");
    assertThat(rig.model.calls(slow, "outline")).isEqualTo(2);
  }

  @Test
  @Order(5)
  void runsFinishWhenTheApiServerFreezesForThirtySeconds() throws Exception {
    String run = name("apiserver-stop");
    Hold held = new Hold(true);
    rig.model.script(run, "draft", held);
    rig.createRun(run);
    assertThat(held.awaitArrival(END)).as("the draft step's model call").isTrue();

    held.release(); // the run goes on and writes its status while the API server answers nothing
    rig.freezeApiServer(Duration.ofSeconds(30));
    String after = name("apiserver-after");
    rig.createRun(after);

    Map<String, String> expected = new LinkedHashMap<>();
    expected.put(run, "Succeeded");
    expected.put(after, "Succeeded");
    rig.check("Kubernetes API server frozen (SIGSTOP) for 30 s", expected, END);
  }

  @Test
  @Order(6)
  void aNotificationWhoseReceiverIsDownIsDeliveredOnceWhenItComesBack() throws Exception {
    String run = name("notify-down");
    String key = "run/" + rig.cluster.namespace + "/" + run + "/TeamSucceeded";
    rig.notify.down();
    try {
      rig.createRun(run);
      assertThat(rig.awaitFinal(run, END))
          .as("the run, while its notification fails")
          .isEqualTo("Succeeded");
      Thread.sleep(3000);
      assertThat(rig.notify.withKey(key)).isEmpty();
    } finally {
      rig.notify.up();
    }
    await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> rig.notify.withKey(key).size() == 1);
    rig.check("ArkNotify webhook receiver down", Map.of(run, "Succeeded"), END);
    Thread.sleep(2000);
    assertThat(rig.notify.withKey(key)).hasSize(1);
    assertThat(rig.notify.unauthorized()).isZero();
    String status = rig.cluster.ok("get", "arknotify", "alerts", "-o", "jsonpath={.status}");
    assertThat(status).contains("sentCount").doesNotContain("lastError");
  }

  @Test
  @Order(100)
  void noApiKeyOrWebhookSecretInLogsStatusesOrHistories() throws Exception {
    // the secrets were used: the key authorised every call, the prompt reached the model
    assertThat(rig.model.unauthorized()).isZero();
    assertThat(rig.model.systemPrompts()).contains(rig.secretPrompt);
    assertThat(rig.notify.unauthorized()).isZero();

    List<String> secrets = List.of(rig.apiKey, rig.webhookAuthorization, rig.notify.url());
    assertNoSecret("ArkRun statuses", rig.cluster.ok("get", "arkruns", "-o", "json"), secrets);
    assertNoSecret("ArkNotify", rig.cluster.ok("get", "arknotifies", "-o", "json"), secrets);
    List<String> prompt = List.of(rig.secretPrompt);
    assertNoSecret("ArkRun statuses", rig.cluster.ok("get", "arkruns", "-o", "json"), prompt);
    for (Map.Entry<Path, String> log : rig.logs().entrySet()) {
      assertNoSecret(log.getKey().toString(), log.getValue(), secrets);
      assertNoSecret(log.getKey().toString(), log.getValue(), prompt);
    }
    Map<String, String> histories = rig.histories();
    assertThat(histories).hasSizeGreaterThan(5);
    histories.forEach((workflow, history) -> assertNoSecret(workflow, history, secrets));
  }

  /**
   * A {@code systemPromptRef.secretKeyRef} prompt travels by reference: the agent worker resolves
   * it, so no TeamRun or AgentTask history holds it.
   */
  @Test
  @Order(101)
  void noSecretPromptInTemporalHistories() {
    Map<String, String> histories = rig.histories();
    assertThat(histories).hasSizeGreaterThan(5);
    histories.forEach(
        (workflow, history) -> assertNoSecret(workflow, history, List.of(rig.secretPrompt)));
  }

  /** Fails naming where and which secret, without printing the text that holds it. */
  private static void assertNoSecret(String where, String text, List<String> secrets) {
    for (int i = 0; i < secrets.size(); i++) {
      assertThat(text.contains(secrets.get(i)))
          .as("secret #%d (%s…) appears in %s", i, secrets.get(i).substring(0, 6), where)
          .isFalse();
    }
  }
}
