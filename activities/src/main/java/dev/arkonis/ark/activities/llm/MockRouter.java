package dev.arkonis.ark.activities.llm;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.workflows.api.RoutingPlan;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The mock model's answer to a routed team's router request (a user message with {@value
 * RoutingPlan#CAPABILITIES_MARKER}): deterministic, by word overlap between the task and each
 * capability.
 *
 * <p>Words are lower-cased runs of letters and digits of at least 3 characters, a plural {@code s}
 * dropped, common English words ignored. A capability scores 2 per tag word found in the task plus
 * 1 per distinct word of its id and description found in the task. The highest score wins; ties go
 * to the capability listed first (agents sorted by name, capabilities in their order). No overlap
 * at all answers agent {@value RoutingPlan#NO_MATCH}, so the run takes {@code routing.fallback}.
 * The answer is {@code {"agent", "capability", "reason"}}, the reason naming the words that
 * matched.
 */
final class MockRouter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> STOP =
      Set.of(
          "the", "and", "for", "with", "that", "this", "from", "are", "was", "our", "your", "you",
          "can", "not", "but", "all", "any", "has", "have", "into", "about", "what", "how", "why",
          "when", "who", "which", "does", "doe", "need", "please", "its", "it's", "will", "would",
          "should", "could", "them", "they", "their", "there", "here", "get", "got", "one", "out");

  private MockRouter() {}

  /** The router's answer when {@code lastUser} is a router request, else empty. */
  static Optional<String> answer(String lastUser) {
    int marker = lastUser.indexOf(RoutingPlan.CAPABILITIES_MARKER);
    if (marker < 0) {
      return Optional.empty();
    }
    String task = lastUser.substring(0, marker);
    String rest = lastUser.substring(marker + RoutingPlan.CAPABILITIES_MARKER.length()).strip();
    int end = rest.indexOf("\n\n");
    JsonNode list;
    try {
      list = JSON.readTree(end < 0 ? rest : rest.substring(0, end));
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
    Set<String> taskWords = words(task.replaceFirst("^Task:", ""));
    JsonNode best = null;
    int bestScore = 0;
    Set<String> bestTags = Set.of();
    Set<String> bestWords = Set.of();
    for (JsonNode entry : list) {
      Set<String> tags = new LinkedHashSet<>();
      entry.path("tags").forEach(t -> tags.addAll(words(t.asText())));
      tags.retainAll(taskWords);
      Set<String> described =
          words(entry.path("capability").asText() + " " + entry.path("description").asText());
      described.retainAll(taskWords);
      described.removeAll(tags);
      int score = 2 * tags.size() + described.size();
      if (score > bestScore) {
        best = entry;
        bestScore = score;
        bestTags = tags;
        bestWords = described;
      }
    }
    ObjectNode answer = JSON.createObjectNode();
    if (best == null) {
      answer.put("agent", RoutingPlan.NO_MATCH);
      answer.put("capability", "");
      answer.put("reason", "mock router: no capability shares a word with the task");
    } else {
      answer.put("agent", best.path("agent").asText());
      answer.put("capability", best.path("capability").asText());
      answer.put(
          "reason",
          "mock router: the task matches tags "
              + bestTags
              + " and description words "
              + bestWords
              + " (score "
              + bestScore
              + ")");
    }
    return Optional.of(answer.toString());
  }

  static Set<String> words(String text) {
    Set<String> words = new LinkedHashSet<>();
    for (String w : text.toLowerCase(Locale.ROOT).split("[^\\p{L}\\p{N}]+")) {
      if (w.length() > 3 && w.endsWith("s") && !w.endsWith("ss")) {
        w = w.substring(0, w.length() - 1);
      }
      if (w.length() >= 3 && !STOP.contains(w)) {
        words.add(w);
      }
    }
    return words;
  }
}
