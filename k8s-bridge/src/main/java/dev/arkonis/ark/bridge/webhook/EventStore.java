package dev.arkonis.ark.bridge.webhook;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Collection;
import java.util.Map;

/**
 * What the webhook reads and changes in the cluster: {@link WebhookCache} (events and tokens from
 * informers of its own, runs from the API server).
 */
public interface EventStore {
  /**
   * Label the fire activity puts on every ArkRun it creates, and the operator on every token
   * Secret: {@code arkonis.dev/event=<name>}.
   */
  String EVENT_LABEL = "arkonis.dev/event";

  /** Suffix of the token Secret's name: {@code <event>-token}. */
  String TOKEN_SECRET_SUFFIX = "-token";

  /**
   * Suffix of upstream's name for the token Secret, {@code <event>-webhook-token}: used when no
   * {@code <event>-token} Secret holds a token (that one wins when both do).
   */
  String TOKEN_ALIAS_SUFFIX = "-webhook-token";

  /** Key of the token in that Secret. */
  String TOKEN_KEY = "token";

  /** Null when events and tokens can be looked up, else why not yet (the server answers 503). */
  default String notReady() {
    return null;
  }

  /** The ArkEvent as JSON, or null when it does not exist (or is outside the watched namespace). */
  JsonNode event(String namespace, String name);

  /**
   * The webhook token of an event (Secret {@code <event>-token}, else {@code
   * <event>-webhook-token}, key {@code token}), or null when the Secret or the key does not exist
   * (yet).
   */
  String token(String namespace, String event);

  /**
   * The ArkRuns labelled {@code arkonis.dev/event=<event>}: name → {@code status.phase} ("" while
   * the run has no phase yet).
   */
  Map<String, String> runs(String namespace, String event);

  /** {@code status.message} of a run, or null. */
  String runMessage(String namespace, String run);

  /** Deletes runs (their finalizer cancels their workflows); missing runs are ignored. */
  void deleteRuns(String namespace, Collection<String> runs);
}
