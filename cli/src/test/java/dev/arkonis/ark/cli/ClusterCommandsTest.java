package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkRun;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code ark trigger}, {@code ark status}, {@code ark logs} against a mock API server. */
@EnableKubernetesMockClient(crud = true)
class ClusterCommandsTest {
  static KubernetesClient client;

  @BeforeEach
  void useMockServer() throws Exception {
    Kube.factory =
        () -> new KubernetesClientBuilder().withConfig(client.getConfiguration()).build();
    CrdCatalog.install(client);
    client
        .load(Files.newInputStream(Cli.fixture("blog-writer-team.yaml")))
        .inNamespace("ark-teams")
        .createOrReplace();
  }

  @AfterEach
  void restore() {
    Kube.factory = () -> new KubernetesClientBuilder().build();
    client.resources(ArkRun.class).inNamespace("ark-teams").delete();
  }

  @Test
  void triggerCreatesAnArkRunForTheOperator() {
    Cli result =
        Cli.run("trigger", "blog-writer-team", "-n", "ark-teams", "--input", "{\"topic\":\"x\"}");

    assertThat(result.exitCode()).as(result.err()).isZero();
    assertThat(result.out()).matches("arkrun.arkonis.dev/blog-writer-team-[a-z0-9]{5} created\\s*");
    List<ArkRun> runs = client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems();
    assertThat(runs).hasSize(1);
    assertThat(runs.get(0).getMetadata().getLabels())
        .containsEntry("arkonis.dev/team", "blog-writer-team");
    assertThat(client.getKubernetesSerialization().asJson(runs.get(0).getSpec()))
        .contains("\"teamRef\":{\"name\":\"blog-writer-team\"}", "\"topic\":\"x\"");
  }

  @Test
  void triggerTakesKeyValueInputs() {
    Cli result = Cli.run("trigger", "blog-writer-team", "-n", "ark-teams", "--input", "topic=a=b");

    assertThat(result.exitCode()).as(result.err()).isZero();
    ArkRun run = client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems().get(0);
    assertThat(client.getKubernetesSerialization().asJson(run.getSpec()))
        .contains("\"topic\":\"a=b\"");
  }

  @Test
  void triggerRefusesAnInputGivenTwiceAndCreatesNothing() {
    Cli result =
        Cli.run(
            "trigger",
            "blog-writer-team",
            "-n",
            "ark-teams",
            "--input",
            "{\"topic\":\"x\"}",
            "--input",
            "topic=y");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("--input: input \"topic\" is given twice");
    assertThat(client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems()).isEmpty();
  }

  @Test
  void triggerOfAnUnknownTeamIsAUserError() {
    Cli result = Cli.run("trigger", "nope", "-n", "ark-teams");
    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("ArkTeam nope not found in namespace ark-teams");
    assertThat(client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems()).isEmpty();
  }

  @Test
  void triggerWithAnUnknownInputSuggestsTheDeclaredOneAndCreatesNothing() {
    Cli result =
        Cli.run("trigger", "blog-writer-team", "-n", "ark-teams", "--input", "{\"topik\":\"x\"}");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err())
        .contains("ArkTeam/blog-writer-team: unknown input \"topik\"; did you mean \"topic\"?")
        .doesNotContain("Exception");
    assertThat(result.out()).isEmpty();
    assertThat(client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems()).isEmpty();
  }

  @Test
  void triggerWithoutARequiredInputCreatesNothing() {
    Cli result = Cli.run("trigger", "blog-writer-team", "-n", "ark-teams");

    assertThat(result.exitCode()).isEqualTo(2);
    assertThat(result.err()).contains("ArkTeam/blog-writer-team: missing required input \"topic\"");
    assertThat(client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems()).isEmpty();
  }

  @Test
  void statusAndLogsShowTheRun() {
    Cli.run("trigger", "blog-writer-team", "-n", "ark-teams", "--input", "{\"topic\":\"x\"}");
    ArkRun run = client.resources(ArkRun.class).inNamespace("ark-teams").list().getItems().get(0);
    String name = run.getMetadata().getName();
    client
        .resources(ArkRun.class)
        .inNamespace("ark-teams")
        .withName(name)
        .editStatus(
            r -> {
              ArkRun copy =
                  client
                      .getKubernetesSerialization()
                      .unmarshal(
                          "{\"apiVersion\":\"arkonis.dev/v1alpha1\",\"kind\":\"ArkRun\",\"status\":{"
                              + "\"phase\":\"Succeeded\",\"output\":\"final text\","
                              + "\"totalTokenUsage\":{\"totalTokens\":1234},"
                              + "\"steps\":[{\"name\":\"researcher\",\"role\":\"researcher\","
                              + "\"phase\":\"Succeeded\",\"attempts\":1,\"output\":\"facts\","
                              + "\"toolCalls\":[{\"name\":\"search__web\",\"arguments\":"
                              + "\"{\\\"q\\\":\\\"ark\\\"}\",\"outcome\":\"ok\","
                              + "\"result\":\"3 hits\"}]}]}}",
                          ArkRun.class);
              r.setStatus(copy.getStatus());
              return r;
            });

    Cli status = Cli.run("status", "-n", "ark-teams");
    assertThat(status.exitCode()).as(status.err()).isZero();
    assertThat(status.out()).contains("blog-writer-team", name, "Succeeded", "1,234");

    Cli logs = Cli.run("logs", name, "-n", "ark-teams");
    assertThat(logs.exitCode()).as(logs.err()).isZero();
    assertThat(logs.out())
        .contains(
            "Run " + name + ": Succeeded",
            "== researcher",
            "tool call: search__web {\"q\":\"ark\"} → ok: 3 hits",
            "facts",
            "final text");
  }
}
