package dev.arkonis.ark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.activities.llm.MockScript;
import dev.arkonis.ark.activities.llm.ModelFactory;
import dev.arkonis.ark.crd.manifest.Manifest;
import java.nio.file.Path;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The {@code --mock-script FILE} option of {@code ark run}, {@code ark dev} and {@code ark agent}:
 * loads the per-role script ({@link MockScript}) and picks the mock provider for it.
 */
final class MockScripts {
  /** The variable {@code ark agent} reads the script's path from when the flag is absent. */
  static final String ENV = "ARK_MOCK_SCRIPT";

  private MockScripts() {}

  /** The script of {@code file}, or null without one; a bad file is a {@link UserError}. */
  static MockScript load(Path file) {
    if (file == null) {
      return null;
    }
    try {
      return MockScript.load(file);
    } catch (MockScript.MockScriptException e) {
      throw new UserError("--mock-script: " + e.getMessage());
    }
  }

  /**
   * The provider to use: with a script, {@code auto} (the default) becomes {@code mock}, and any
   * other provider than {@code mock} is an error (scripted replies come from the mock provider).
   */
  static String provider(String provider, MockScript script) {
    if (script == null) {
      return provider;
    }
    if (provider == null
        || provider.equals(ModelFactory.AUTO)
        || provider.equals(ModelFactory.MOCK)) {
      return ModelFactory.MOCK;
    }
    throw new UserError(
        "--mock-script answers through the mock provider; leave out --provider "
            + provider
            + " (or use --provider mock)");
  }

  /**
   * Checks the script's keys against the roles of the files' ArkTeams and the names of their
   * ArkAgents (a role's {@code arkAgent} included).
   */
  static void checkKeys(MockScript script, Collection<Manifest> objects, String where) {
    if (script == null) {
      return;
    }
    Set<String> roles = new LinkedHashSet<>();
    Set<String> agents = new LinkedHashSet<>();
    for (Manifest object : objects) {
      if (object.kind().equals("ArkAgent")) {
        agents.add(object.name());
      }
      if (object.kind().equals("ArkTeam")) {
        for (JsonNode role : object.tree().path("spec").path("roles")) {
          roles.add(role.path("name").asText());
          if (role.hasNonNull("arkAgent")) {
            agents.add(role.path("arkAgent").asText());
          }
        }
      }
    }
    check(script, roles, agents, where);
  }

  static void check(
      MockScript script, Collection<String> roles, Collection<String> agents, String where) {
    try {
      script.checkKeys(roles, agents, where);
    } catch (MockScript.MockScriptException e) {
      throw new UserError("--mock-script: " + e.getMessage());
    }
  }
}
