package dev.arkonis.ark.cli;

import static dev.arkonis.ark.cli.ChartFixture.namespacedValues;
import static dev.arkonis.ark.cli.ChartFixture.only;
import static dev.arkonis.ark.cli.ChartFixture.parse;
import static dev.arkonis.ark.cli.ChartFixture.render;
import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart's {@code payloadCodec} values: the key ring for the operator, the codec endpoint. */
class HelmCodecTest {
  @Test
  void theOperatorAndTheCodecEndpointReadTheKeyRingFromTheSecret() throws IOException {
    List<HasMetadata> objects = parse(render(namespacedValues()));
    List<Container> containers =
        only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers();

    Container operator = containers.get(0);
    assertThat(secretKey(operator, "ARK_CODEC_KEYS")).isEqualTo("ark-codec/keyring");
    assertThat(value(operator, "ARK_CODEC_SECRET")).isEqualTo("ark-codec/keyring");
    Container codec =
        containers.stream().filter(c -> c.getName().equals("codec")).findFirst().orElseThrow();
    assertThat(codec.getArgs())
        .containsExactly(
            "codec-server", "--port", "8089", "--cors-origin", "https://temporal.example.com");
    assertThat(secretKey(codec, "ARK_CODEC_KEYS")).isEqualTo("ark-codec/keyring");
    assertThat(secretKey(codec, "ARK_CODEC_TOKEN")).isEqualTo("ark-codec-token/token");
    assertThat(codec.getPorts().get(0).getContainerPort()).isEqualTo(8089);
    assertThat(operatorService(objects).getSpec().getPorts())
        .anySatisfy(
            p -> {
              assertThat(p.getName()).isEqualTo("codec");
              assertThat(p.getPort()).isEqualTo(8089);
            });
  }

  @Test
  void withoutTheValuesThereIsNoCodec() throws IOException {
    List<HasMetadata> objects = parse(render(Map.of()));
    List<Container> containers =
        only(objects, Deployment.class).getSpec().getTemplate().getSpec().getContainers();

    assertThat(containers).hasSize(1);
    assertThat(containers.get(0).getEnv()).noneMatch(e -> e.getName().startsWith("ARK_CODEC"));
    assertThat(operatorService(objects).getSpec().getPorts())
        .extracting(ServicePort::getName)
        .doesNotContain("codec");
  }

  /** The Service in front of the operator's webhook port (the admission webhook has its own). */
  private static Service operatorService(List<HasMetadata> objects) {
    return objects.stream()
        .filter(Service.class::isInstance)
        .map(Service.class::cast)
        .filter(s -> s.getMetadata().getName().equals(ChartFixture.RELEASE + "-operator"))
        .findFirst()
        .orElseThrow();
  }

  private static EnvVar env(Container container, String name) {
    return container.getEnv().stream()
        .filter(e -> e.getName().equals(name))
        .findFirst()
        .orElseThrow(() -> new AssertionError(name + " not in " + container.getName()));
  }

  private static String value(Container container, String name) {
    return env(container, name).getValue();
  }

  private static String secretKey(Container container, String name) {
    var ref = env(container, name).getValueFrom().getSecretKeyRef();
    return ref.getName() + "/" + ref.getKey();
  }
}
