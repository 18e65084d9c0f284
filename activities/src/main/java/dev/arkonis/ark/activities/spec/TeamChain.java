package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The teams a team runs through its {@code roles[].arkTeam}, transitively: every one must exist and
 * none may lead back to a team on the way (a team cannot run itself, directly or through others);
 * at most {@value #MAX_DEPTH} levels.
 */
public final class TeamChain {
  /** How deep child teams may nest. */
  public static final int MAX_DEPTH = 5;

  private TeamChain() {}

  /**
   * What is wrong with the chain: {@code detail} is about a role of ArkTeam {@code team} (the
   * checked team or one below it).
   */
  public record Problem(Kind kind, String team, String detail) {
    /** {@code ArkTeam/<team>: <detail>}. */
    public String message() {
      return "ArkTeam/" + team + ": " + detail;
    }
  }

  /** A child team that does not exist (yet), or a chain that can never run. */
  public enum Kind {
    MISSING,
    INVALID
  }

  /**
   * The first problem of the chain below {@code team}.
   *
   * @param teams the spec of an ArkTeam of the namespace by name
   */
  public static Optional<Problem> check(
      String namespace, String team, JsonNode spec, Function<String, Optional<JsonNode>> teams) {
    List<String> path = new ArrayList<>();
    path.add(team);
    return walk(namespace, spec, path, teams);
  }

  private static Optional<Problem> walk(
      String namespace,
      JsonNode spec,
      List<String> path,
      Function<String, Optional<JsonNode>> teams) {
    String team = path.get(path.size() - 1);
    for (JsonNode role : spec.path("roles")) {
      if (!role.hasNonNull("arkTeam")) {
        continue;
      }
      String child = role.path("arkTeam").asText();
      String where = "role \"" + role.path("name").asText() + "\" runs";
      if (path.contains(child)) {
        List<String> cycle = new ArrayList<>(path.subList(path.indexOf(child), path.size()));
        cycle.add(child);
        return Optional.of(
            new Problem(
                Kind.INVALID,
                team,
                where
                    + " ArkTeam \""
                    + child
                    + "\", which leads back to it ("
                    + String.join(" → ", cycle)
                    + "); a team cannot run itself, directly or through other teams"));
      }
      if (path.size() >= MAX_DEPTH) {
        return Optional.of(
            new Problem(
                Kind.INVALID,
                team,
                where
                    + " ArkTeam \""
                    + child
                    + "\": child teams nest at most "
                    + MAX_DEPTH
                    + " levels ("
                    + String.join(" → ", path)
                    + " → "
                    + child
                    + ")"));
      }
      Optional<JsonNode> childSpec = teams.apply(child);
      if (childSpec.isEmpty()) {
        return Optional.of(
            new Problem(
                Kind.MISSING,
                team,
                where
                    + " arkTeam \""
                    + child
                    + "\", which does not exist in namespace "
                    + namespace
                    + "; create the ArkTeam (or add it to the file)"));
      }
      path.add(child);
      Optional<Problem> below = walk(namespace, childSpec.get(), path, teams);
      path.remove(path.size() - 1);
      if (below.isPresent()) {
        return below;
      }
    }
    return Optional.empty();
  }
}
