package dev.arkonis.ark.workflows.api;

import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The custom search attributes of a {@code TeamRun} workflow, so runs can be found in the Temporal
 * Web UI and with {@code temporal workflow list --query "ArkTeam='research-team' AND
 * ArkPhase='Failed'"}. The starter sets them (phase {@code Pending}); the workflow upserts {@code
 * ArkPhase} when the run's phase changes, and only when its start carried them (a server where they
 * could not be registered still runs the workflow).
 */
public final class RunSearchAttributes {
  public static final SearchAttributeKey<String> NAMESPACE =
      SearchAttributeKey.forKeyword("ArkNamespace");
  public static final SearchAttributeKey<String> TEAM = SearchAttributeKey.forKeyword("ArkTeam");
  public static final SearchAttributeKey<String> RUN = SearchAttributeKey.forKeyword("ArkRun");
  public static final SearchAttributeKey<String> PHASE = SearchAttributeKey.forKeyword("ArkPhase");

  /** Every attribute by name with its type, for registering them on a Temporal namespace. */
  public static final Map<String, IndexedValueType> ALL = all();

  private RunSearchAttributes() {}

  /** The attributes of a run when it is started: phase {@code Pending}. */
  public static SearchAttributes atStart(String namespace, String team, String run) {
    return SearchAttributes.newBuilder()
        .set(NAMESPACE, namespace)
        .set(TEAM, team)
        .set(RUN, run)
        .set(PHASE, "Pending")
        .build();
  }

  private static Map<String, IndexedValueType> all() {
    Map<String, IndexedValueType> all = new LinkedHashMap<>();
    for (SearchAttributeKey<?> key : new SearchAttributeKey<?>[] {NAMESPACE, TEAM, RUN, PHASE}) {
      all.put(key.getName(), key.getValueType());
    }
    return Map.copyOf(all);
  }
}
