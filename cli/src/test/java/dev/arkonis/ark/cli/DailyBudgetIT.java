package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code limits.maxDailyTokens: 500} on the real rig: {@code ark dev --kubeconfig} (the built jar,
 * the operator's code path, the mock model) against the real kube-apiserver and a Temporal dev
 * server, with the test setting {@code ARK_BUDGET_WINDOW=2m}. Runs go until one is refused; the
 * agent's Deployment goes to 0 replicas with {@code BudgetExceeded=True}, and comes back to its
 * replicas by itself when the window frees up.
 */
class DailyBudgetIT {
  private static final String WINDOW = "2m";

  private static TestCluster cluster;
  private static Process dev;
  private static Path devOut;

  @BeforeAll
  static void startArkDev() throws Exception {
    String temporalAddress = System.getenv("ARK_TEST_TEMPORAL_ADDRESS");
    if (temporalAddress == null || temporalAddress.isBlank()) {
      fail(
          "ARK_TEST_TEMPORAL_ADDRESS is not set: run the tests with scripts/test, which starts a"
              + " Temporal dev server");
    }
    cluster = TestCluster.open("ark-budget-it");
    Path folder = Files.createDirectories(cluster.work.resolve("manifests"));
    Files.writeString(
        folder.resolve("capped.yaml"),
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkAgent
        metadata:
          name: capped
        spec:
          model: mock-model
          replicas: 2
          limits: {maxTokensPerCall: 100, maxDailyTokens: 500}
        ---
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkTeam
        metadata:
          name: capped-team
        spec:
          inputs:
            - name: topic
              required: true
          roles:
            - name: writer
              arkAgent: capped
          pipeline:
            - role: writer
              inputs:
                prompt: "Write three sentences about {{ .input.topic }}."
        """);
    devOut = cluster.work.resolve("ark-dev.out");
    ProcessBuilder builder =
        new ProcessBuilder(
                TestCluster.java(),
                "-Xmx384m",
                "-jar",
                TestCluster.jar().toString(),
                "dev",
                folder.toString(),
                "--kubeconfig",
                cluster.kubeconfig.toString(),
                "-n",
                cluster.namespace,
                "--temporal-address",
                temporalAddress,
                "--provider",
                "mock",
                "--port",
                "0",
                "--webhook-port",
                "0",
                "--dashboard-port",
                "0")
            .redirectErrorStream(true)
            .redirectOutput(devOut.toFile());
    builder.environment().put("ARK_BUDGET_WINDOW", WINDOW);
    dev = builder.start();
    await()
        .atMost(Duration.ofSeconds(180))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              if (!dev.isAlive()) {
                fail("ark dev exited with " + dev.exitValue() + ":\n" + devLog());
              }
              return devLog().contains("(Ctrl-C to stop)");
            });
  }

  @AfterAll
  static void stop() throws Exception {
    if (cluster != null && dev != null && dev.isAlive()) {
      cluster.kubectl("delete", "arkruns", "--all", "--timeout=60s");
    }
    if (dev != null) {
      dev.destroy();
      if (!dev.waitFor(40, TimeUnit.SECONDS)) {
        dev.destroyForcibly();
      }
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  private static String devLog() throws IOException {
    return Files.exists(devOut) ? Files.readString(devOut) : "";
  }

  private static String get(String what, String name, String jsonPath) throws Exception {
    return cluster.kubectl("get", what, name, "-o", "jsonpath=" + jsonPath).out().trim();
  }

  private static String budgetCondition(String field) throws Exception {
    return get(
        "arkagent", "capped", "{.status.conditions[?(@.type==\"BudgetExceeded\")]." + field + "}");
  }

  /** Creates one run and waits until it ends; returns its phase. */
  private static String run(int i) throws Exception {
    Path file = cluster.work.resolve("run-" + i + ".yaml");
    Files.writeString(
        file,
        """
        apiVersion: arkonis.dev/v1alpha1
        kind: ArkRun
        metadata:
          name: capped-%d
        spec:
          teamRef: {name: capped-team}
          input: {topic: "Kubernetes operators, part %d"}
        """
            .formatted(i, i));
    TestCluster.Kubectl create = cluster.kubectl("create", "-f", file.toString());
    assertThat(create.exit()).as(create.err()).isZero();
    return await()
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> get("arkrun", "capped-" + i, "{.status.phase}"),
            phase -> phase.equals("Succeeded") || phase.equals("Failed"));
  }

  @Test
  void runsUntilRefusedThenScalesToZeroAndComesBackAfterTheWindow() throws Exception {
    await()
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> get("deployment", "capped", "{.status.readyReplicas}"), "2"::equals);

    int runs = 0;
    String phase = "Succeeded";
    while ("Succeeded".equals(phase)) {
      assertThat(runs).as("runs before the 500-token budget refused one").isLessThan(40);
      phase = run(++runs);
    }
    assertThat(runs).isGreaterThan(1);
    String message = get("arkrun", "capped-" + runs, "{.status.message}");
    assertThat(message)
        .as(devLog())
        .containsPattern(
            "agent "
                + cluster.namespace
                + "/capped is over its daily token budget: \\d+ of 500 tokens"
                + " \\(limits.maxDailyTokens\\) used in the last 2m.*; it resets at \\S+Z;"
                + " raise limits.maxDailyTokens or wait until then");

    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .untilAsserted(
            () -> {
              assertThat(budgetCondition("status")).isEqualTo("True");
              assertThat(budgetCondition("reason")).isEqualTo("DailyBudgetExceeded");
              assertThat(get("deployment", "capped", "{.spec.replicas}")).isEqualTo("0");
              assertThat(get("arkagent", "capped", "{.status.dailyTokenUsage.totalTokens}"))
                  .isNotEmpty();
              assertThat(get("arkagent", "capped", "{.status.budgetResetsAt}")).endsWith("Z");
            });
    assertThat(
            cluster
                .kubectl(
                    "get",
                    "events",
                    "--field-selector",
                    "involvedObject.name=capped,reason=DailyBudgetExceeded",
                    "-o",
                    "name")
                .out())
        .isNotBlank();

    // the window (2m) frees up: back to the spec's replicas, no human action
    await()
        .atMost(Duration.ofSeconds(240))
        .pollInterval(Duration.ofSeconds(2))
        .untilAsserted(
            () -> {
              assertThat(budgetCondition("status")).isEqualTo("False");
              assertThat(budgetCondition("reason")).isEqualTo("WithinBudget");
              assertThat(get("deployment", "capped", "{.spec.replicas}")).isEqualTo("2");
            });
    assertThat(run(++runs)).isEqualTo("Succeeded");
  }
}
