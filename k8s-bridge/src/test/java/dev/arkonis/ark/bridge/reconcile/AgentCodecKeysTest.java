package dev.arkonis.ark.bridge.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With the payload codec on, agent pods get the same key ring as the operator. */
class AgentCodecKeysTest {
  private static final KubernetesSerialization JSON = new KubernetesSerialization();

  @Test
  void theAgentContainerReadsTheCodecKeysFromTheNamedSecret() {
    Container container = container("ark-codec/keys");

    assertThat(container.getEnv())
        .filteredOn(e -> e.getName().equals("ARK_CODEC_KEYS"))
        .singleElement()
        .extracting(EnvVar::getValueFrom)
        .satisfies(
            from -> {
              assertThat(from.getSecretKeyRef().getName()).isEqualTo("ark-codec");
              assertThat(from.getSecretKeyRef().getKey()).isEqualTo("keys");
            });
  }

  @Test
  void withoutTheCodecTheContainerHasNoKeys() {
    assertThat(container(null).getEnv()).noneMatch(e -> e.getName().startsWith("ARK_CODEC"));
  }

  private static Container container(String codecSecret) {
    ArkAgent agent =
        JSON.unmarshal(
            """
            apiVersion: arkonis.dev/v1alpha1
            kind: ArkAgent
            metadata: {name: solo, namespace: team-a}
            spec:
              model: m
              env:
                - {name: ARK_CODEC_KEYS, value: "a user's own value is replaced"}
            """,
            ArkAgent.class);
    if (codecSecret == null) {
      agent.getSpec().setEnv(null);
    }
    return AgentWorkload.deployment(
            agent,
            new AgentConfig(Map.of(), null, "hash", null),
            JSON,
            "ark:test",
            "temporal:7233",
            "default",
            codecSecret)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .get(0);
  }
}
