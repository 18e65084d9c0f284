package dev.arkonis.ark.bridge.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.crd.manifest.CrdCatalog;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class MetadataUpdateTest {
  static final String NS = "meta";
  static KubernetesClient client;

  @Test
  void aConcurrentChangeIsNotLost() {
    CrdCatalog.install(client);
    client
        .resources(ArkEvent.class)
        .inNamespace(NS)
        .resource(
            client
                .getKubernetesSerialization()
                .unmarshal(
                    """
                    apiVersion: arkonis.dev/v1alpha1
                    kind: ArkEvent
                    metadata: {name: e, annotations: {keep: "yes"}}
                    spec: {source: {type: webhook}, targets: [{team: t}]}
                    """,
                    ArkEvent.class))
        .create();
    AtomicInteger attempts = new AtomicInteger();

    boolean changed =
        MetadataUpdate.apply(
            client,
            ArkEvent.class,
            NS,
            "e",
            event -> {
              if (attempts.incrementAndGet() == 1) {
                // another writer changes the object between our read and our patch
                client
                    .resources(ArkEvent.class)
                    .inNamespace(NS)
                    .withName("e")
                    .edit(
                        other -> {
                          other.getMetadata().getAnnotations().put("other", "1");
                          return other;
                        });
              }
              Map<String, String> annotations = new HashMap<>(event.getMetadata().getAnnotations());
              annotations.put("mine", "1");
              event.getMetadata().setAnnotations(annotations);
              event.getMetadata().setFinalizers(List.of("arkonis.dev/delete-schedule"));
              return true;
            });

    assertThat(changed).isTrue();
    assertThat(attempts).hasValue(2); // 409, then read again
    ArkEvent event = client.resources(ArkEvent.class).inNamespace(NS).withName("e").get();
    assertThat(event.getMetadata().getAnnotations())
        .containsEntry("keep", "yes")
        .containsEntry("other", "1")
        .containsEntry("mine", "1");
    assertThat(event.getMetadata().getFinalizers()).containsExactly("arkonis.dev/delete-schedule");
    assertThat(MetadataUpdate.apply(client, ArkEvent.class, NS, "e", e -> false)).isFalse();
    assertThat(MetadataUpdate.apply(client, ArkEvent.class, NS, "gone", e -> true)).isFalse();
  }
}
