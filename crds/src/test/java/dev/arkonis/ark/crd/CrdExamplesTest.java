package dev.arkonis.ark.crd;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.v1alpha1.ArkAgent;
import dev.arkonis.ark.crd.v1alpha1.ArkEvent;
import dev.arkonis.ark.crd.v1alpha1.ArkMemory;
import dev.arkonis.ark.crd.v1alpha1.ArkService;
import dev.arkonis.ark.crd.v1alpha1.ArkSettings;
import dev.arkonis.ark.crd.v1alpha1.ArkTeam;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The files of {@code examples/} parse into the model generated from the CRDs, field for field. */
class CrdExamplesTest {

  private static final Path EXAMPLES_DIR = Path.of("../examples");

  @Test
  void examplesParseIntoTheGeneratedModelWithoutUnknownFields() throws IOException {
    Map<String, Class<? extends HasMetadata>> kinds =
        Map.of(
            "ArkAgent", ArkAgent.class,
            "ArkTeam", ArkTeam.class,
            "ArkEvent", ArkEvent.class,
            "ArkService", ArkService.class,
            "ArkSettings", ArkSettings.class,
            "ArkMemory", ArkMemory.class);
    Map<String, HasMetadata> byName = new HashMap<>();
    for (String file : List.of("research-team.yaml", "primitives.yaml")) {
      String text = Files.readString(EXAMPLES_DIR.resolve(file), StandardCharsets.UTF_8);
      for (String doc : text.split("(?m)^---\\s*$")) {
        JsonNode node = Serialization.unmarshal(doc, JsonNode.class);
        Class<? extends HasMetadata> type = kinds.get(node.get("kind").asText());
        assertThat(type).as("kind in %s", file).isNotNull();
        HasMetadata resource = Serialization.unmarshal(doc, type);
        assertThat(unknownFields(resource, "")).as("unknown fields in %s", file).isEmpty();
        byName.put(resource.getKind() + "/" + resource.getMetadata().getName(), resource);
      }
    }
    assertThat(byName)
        .containsOnlyKeys(
            "ArkTeam/research-team",
            "ArkAgent/research-agent",
            "ArkSettings/research-settings",
            "ArkEvent/daily-briefing");

    ArkTeam team = (ArkTeam) byName.get("ArkTeam/research-team");
    assertThat(team.getSpec().getEntry()).isEqualTo("coordinator");
    assertThat(team.getSpec().getRoles())
        .extracting(r -> r.getName() + ":" + r.getModel())
        .containsExactly("coordinator:llama3.2", "researcher:llama3.2", "writer:llama3.2:1b");
    assertThat(team.getSpec().getRoles().get(0).getCanDelegate())
        .containsExactly("researcher", "writer");
    assertThat(team.getSpec().getInputs())
        .singleElement()
        .satisfies(i -> assertThat(i.getName() + ":" + i.getRequired()).isEqualTo("task:true"));

    ArkAgent agent = (ArkAgent) byName.get("ArkAgent/research-agent");
    assertThat(agent.getSpec().getReplicas()).isEqualTo(5);
    assertThat(agent.getSpec().getModel()).isEqualTo("llama3.2");
    assertThat(agent.getSpec().getMcpServers()).extracting(s -> s.getName()).contains("web-search");

    ArkEvent event = (ArkEvent) byName.get("ArkEvent/daily-briefing");
    assertThat(event.getSpec().getSource().getCron()).isEqualTo("0 9 * * 1-5");
    assertThat(event.getSpec().getTargets()).extracting(t -> t.getTeam()).contains("research-team");
  }

  /** Paths of values the generated model did not recognise (kept in additionalProperties). */
  private static List<String> unknownFields(Object value, String path) {
    List<String> found = new ArrayList<>();
    collectUnknown(value, path, found, new IdentityHashMap<>());
    return found;
  }

  private static void collectUnknown(
      Object value, String path, List<String> found, Map<Object, Boolean> seen) {
    if (value == null || seen.put(value, Boolean.TRUE) != null) {
      return;
    }
    if (value instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        collectUnknown(item, path + "[" + i++ + "]", found, seen);
      }
      return;
    }
    if (!value.getClass().getPackageName().startsWith("dev.arkonis.ark.crd")) {
      return;
    }
    for (Method getter : value.getClass().getMethods()) {
      if (getter.getParameterCount() != 0
          || !getter.getName().startsWith("get")
          || getter.getDeclaringClass() == Object.class) {
        continue;
      }
      Object child;
      try {
        child = getter.invoke(value);
      } catch (ReflectiveOperationException e) {
        throw new AssertionError(e);
      }
      if (getter.getName().equals("getAdditionalProperties")) {
        if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
          found.add(path + " " + extra.keySet());
        }
      } else {
        collectUnknown(child, path + "." + getter.getName().substring(3), found, seen);
      }
    }
  }
}
