package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.spec.RunPlanner;
import dev.arkonis.ark.crd.manifest.LoadResult;
import dev.arkonis.ark.crd.manifest.Manifest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Resolves what a team refers to from the objects in the same file (ArkAgents, ArkTeams (roles with
 * {@code arkTeam}), ArkRegistries, ArkSettings, ConfigMaps, Secrets) plus prompts given on the
 * command line.
 */
final class FileReferences implements RunPlanner.References {
  private final Map<String, JsonNode> byKindAndName = new HashMap<>();
  private final Map<String, String> overrides;

  FileReferences(LoadResult loaded, Map<String, String> promptOverrides) {
    loaded.manifests().forEach(this::index);
    loaded.others().forEach(this::index);
    this.overrides = promptOverrides;
  }

  private void index(Manifest m) {
    byKindAndName.put(m.kind() + "/" + m.name(), m.tree());
  }

  @Override
  public Optional<JsonNode> agent(String name) {
    return Optional.ofNullable(byKindAndName.get("ArkAgent/" + name)).map(t -> t.path("spec"));
  }

  @Override
  public Optional<JsonNode> settings(String name) {
    return Optional.ofNullable(byKindAndName.get("ArkSettings/" + name)).map(t -> t.path("spec"));
  }

  @Override
  public Optional<JsonNode> registry(String name) {
    return Optional.ofNullable(byKindAndName.get("ArkRegistry/" + name));
  }

  @Override
  public List<JsonNode> agents() {
    return byKindAndName.entrySet().stream()
        .filter(e -> e.getKey().startsWith("ArkAgent/"))
        .map(Map.Entry::getValue)
        .toList();
  }

  @Override
  public Optional<JsonNode> team(String name) {
    return Optional.ofNullable(byKindAndName.get("ArkTeam/" + name)).map(t -> t.path("spec"));
  }

  @Override
  public Optional<JsonNode> memory(String name) {
    return Optional.ofNullable(byKindAndName.get("ArkMemory/" + name)).map(t -> t.path("spec"));
  }

  @Override
  public Optional<String> key(boolean secret, String name, String key) {
    String override = overrides.get(name + "/" + key);
    if (override != null) {
      return Optional.of(override);
    }
    JsonNode object = byKindAndName.get((secret ? "Secret/" : "ConfigMap/") + name);
    if (object == null) {
      return Optional.empty();
    }
    JsonNode value = object.path("data").path(key);
    if (secret && value.isTextual()) {
      return Optional.of(
          new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8));
    }
    if (value.isMissingNode()) {
      value = object.path("stringData").path(key);
    }
    return value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
  }
}
