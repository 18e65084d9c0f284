package dev.arkonis.ark.bridge.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An agent served by a worker in this process ({@code ark dev}) shows that worker's own log. */
@EnableKubernetesMockClient(crud = true)
class InProcessLogsTest {
  KubernetesClient client;

  @Test
  void anInProcessWorkersLogIsShownInsteadOfPodLogs() {
    AgentLogs local =
        (namespace, agent, lines) ->
            namespace.equals("dash") && agent.equals("writer")
                ? Optional.of("line " + lines + "\n")
                : Optional.empty();
    DashboardActions actions = new DashboardActions(client, null, local);

    ObjectNode served = actions.logs("dash", "writer", 50);
    ObjectNode elsewhere = actions.logs("dash", "editor", 50);

    assertThat(served.path("pods")).hasSize(1);
    assertThat(served.path("pods").get(0).path("name").asText())
        .isEqualTo("in-process worker (ark dev)");
    assertThat(served.path("pods").get(0).path("log").asText()).isEqualTo("line 50\n");
    assertThat(elsewhere.path("pods")).isEmpty(); // no in-process worker, no pods
  }
}
