package dev.arkonis.ark.bridge.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Writers of one process (the reconciler's Ready, the health activity's Degraded, the budget's
 * BudgetExceeded) each merge their own condition into an ArkAgent's status at the same time: none
 * is lost, also on the in-process API server of {@code ark dev} (fabric8's CRUD mock).
 */
@EnableKubernetesMockClient(crud = true)
class StatusWriterConcurrencyTest {
  KubernetesClient client;

  @Test
  void concurrentWritersOfOneObjectEachKeepTheirCondition() throws Exception {
    CrdCatalog.install(client);
    ArkAgent agent = new ArkAgent();
    agent.setMetadata(new ObjectMetaBuilder().withName("desk-writer").withNamespace("ns").build());
    client.resources(ArkAgent.class).inNamespace("ns").resource(agent).create();
    StatusWriter writer = new StatusWriter(client);
    List<String> types = List.of("Ready", "Degraded", "BudgetExceeded", "Probe");
    int rounds = 25;
    ExecutorService pool = Executors.newFixedThreadPool(types.size());
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    try {
      for (String type : types) {
        done.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < rounds; i++) {
                    int round = i;
                    writer.update(
                        ArkAgent.class,
                        "ns",
                        "desk-writer",
                        (object, current) -> withCondition(current, type, round));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }

    JsonNode status = writer.currentStatus(ArkAgent.class, "ns", "desk-writer");
    for (String type : types) {
      JsonNode condition = find(status, type);
      assertThat(condition).as("condition %s in %s", type, status).isNotNull();
      assertThat(condition.path("message").asText()).isEqualTo("round " + (rounds - 1));
    }
  }

  /**
   * The status's conditions with {@code type}'s replaced (the others kept, as each writer does).
   */
  private static ObjectNode withCondition(JsonNode current, String type, int round) {
    ArrayNode conditions = JsonNodeFactory.instance.arrayNode();
    for (JsonNode c : current.path("conditions")) {
      if (!type.equals(c.path("type").asText())) {
        conditions.add(c);
      }
    }
    conditions
        .addObject()
        .put("type", type)
        .put("status", "True")
        .put("reason", "Test")
        .put("message", "round " + round)
        .put("lastTransitionTime", "2026-12-01T00:00:00Z");
    ObjectNode patch = JsonNodeFactory.instance.objectNode();
    patch.set("conditions", conditions);
    return patch;
  }

  private static JsonNode find(JsonNode status, String type) {
    for (JsonNode c : status.path("conditions")) {
      if (type.equals(c.path("type").asText())) {
        return c;
      }
    }
    return null;
  }
}
