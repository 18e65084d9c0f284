package dev.arkonis.ark.workflows.budget;

import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Entry;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Grant;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Hold;
import dev.arkonis.ark.workflows.api.BudgetLedgerWorkflow.Usage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The arithmetic of a rolling token window: counted calls expire {@code window} after they
 * committed, holds expire after their call's timeout. Pure: every method takes the time.
 */
final class Ledger {
  private final String namespace;
  private final String agent;
  private final long window;
  private long limit;
  private long blockedInput;
  private final List<Entry> entries;
  private final Map<String, Hold> holds = new LinkedHashMap<>();

  Ledger(
      String namespace,
      String agent,
      long windowMillis,
      long limit,
      long blockedInput,
      List<Entry> entries,
      List<Hold> holds) {
    this.namespace = namespace;
    this.agent = agent;
    this.window = windowMillis;
    this.limit = limit;
    this.blockedInput = blockedInput;
    this.entries = new ArrayList<>(entries);
    holds.forEach(h -> this.holds.put(h.callId(), h));
  }

  long window() {
    return window;
  }

  long limit() {
    return limit;
  }

  /** The prompt size of a call refused with nothing in flight: what the window must fit again. */
  long blockedInput() {
    return blockedInput;
  }

  /** The window freed up: forget the refused prompt. */
  void unblock() {
    blockedInput = 0;
  }

  List<Entry> entries() {
    return List.copyOf(entries);
  }

  List<Hold> holds() {
    return List.copyOf(holds.values());
  }

  /** Drops counted calls older than the window and holds past their expiry. */
  void prune(long now) {
    entries.removeIf(e -> e.atMillis() + window <= now);
    holds.values().removeIf(h -> h.expiresAtMillis() <= now);
  }

  long inputTokens() {
    return entries.stream().mapToLong(Entry::inputTokens).sum();
  }

  long outputTokens() {
    return entries.stream().mapToLong(Entry::outputTokens).sum();
  }

  long used() {
    return inputTokens() + outputTokens();
  }

  long held() {
    return holds.values().stream().mapToLong(Hold::tokens).sum();
  }

  /**
   * The window is full: the counted tokens reach the limit, or too few are left for the prompt of a
   * call that was refused while no other call was in flight.
   */
  boolean full() {
    long used = used();
    return limit > 0 && (used >= limit || (blockedInput > 0 && used + blockedInput >= limit));
  }

  /**
   * Grants the call while used + held + its input estimate stays below the limit (the call then
   * holds its input estimate plus its cap until it commits or {@code timeoutSeconds} pass); a call
   * already granted is granted again.
   */
  Grant reserve(BudgetLedgerWorkflow.Reservation reservation, long now) {
    limit = reservation.limit();
    prune(now);
    long used = used();
    if (holds.containsKey(reservation.callId())
        || entries.stream().anyMatch(e -> e.callId().equals(reservation.callId()))) {
      return new Grant(true, used, held(), limit, 0, "");
    }
    long held = held();
    long input = Math.max(0, reservation.inputTokens());
    if (used + held + input < limit) {
      long tokens =
          input
              + (reservation.maxTokensPerCall() > 0
                  ? reservation.maxTokensPerCall()
                  : BudgetLedgerWorkflow.DEFAULT_HOLD);
      long timeout = Math.max(1, reservation.timeoutSeconds()) * 1000L;
      holds.put(reservation.callId(), new Hold(reservation.callId(), tokens, now + timeout));
      blockedInput = 0;
      return new Grant(true, used, held + tokens, limit, 0, "");
    }
    if (held == 0 && used < limit) {
      blockedInput = input; // nothing in flight will free room: the window is full for this call
    }
    long resetsAt = resetsAt(now, held + input);
    return new Grant(false, used, held, limit, resetsAt, refusal(used, held, input, resetsAt));
  }

  /** Releases the call's hold and counts what it spent; a call counted already is ignored. */
  void commit(BudgetLedgerWorkflow.Spent spent, long now) {
    holds.remove(spent.callId());
    boolean counted = entries.stream().anyMatch(e -> e.callId().equals(spent.callId()));
    if (!counted && spent.inputTokens() + spent.outputTokens() > 0) {
      entries.add(new Entry(spent.callId(), now, spent.inputTokens(), spent.outputTokens()));
    }
    prune(now);
  }

  /**
   * When enough counted tokens leave the window for used + {@code extra} to drop below the limit;
   * {@code now} when it already is.
   */
  long resetsAt(long now, long extra) {
    long remaining = used() + extra;
    if (remaining < limit || limit <= 0) {
      return now;
    }
    for (Entry entry : entries) {
      remaining -= entry.inputTokens() + entry.outputTokens();
      if (remaining < limit) {
        return entry.atMillis() + window;
      }
    }
    return now + window;
  }

  /** When the window stops being full. */
  long freesAt(long now) {
    return resetsAt(now, blockedInput);
  }

  /** When the oldest counted call leaves the window, or 0 when none is counted. */
  long oldestExpiry() {
    return entries.isEmpty() ? 0 : entries.get(0).atMillis() + window;
  }

  /** The next instant something expires (a counted call or a hold), or 0 when nothing will. */
  long nextExpiry() {
    long next = oldestExpiry();
    for (Hold hold : holds.values()) {
      next = next == 0 ? hold.expiresAtMillis() : Math.min(next, hold.expiresAtMillis());
    }
    return next;
  }

  /** The totals at {@code now} (calls that left the window are not counted, nothing is changed). */
  Usage usage(long now, boolean exceeded, boolean reportedExceeded) {
    List<Entry> current = entries.stream().filter(e -> e.atMillis() + window > now).toList();
    return new Usage(
        current.stream().mapToLong(Entry::inputTokens).sum(),
        current.stream().mapToLong(Entry::outputTokens).sum(),
        held(),
        limit,
        exceeded,
        exceeded ? freesAt(now) : oldestExpiry(),
        full() == reportedExceeded);
  }

  /** The message of a refused call: agent, limit, usage and the reset time. */
  String refusal(long used, long held, long input, long resetsAt) {
    return "agent "
        + namespace
        + "/"
        + agent
        + " is over its daily token budget: "
        + used
        + " of "
        + limit
        + " tokens (limits.maxDailyTokens) used in the last "
        + windowText(window)
        + (held > 0 && used < limit ? " and " + held + " more held by calls in flight" : "")
        + (used < limit ? ", too few left for this call's prompt (about " + input + " tokens)" : "")
        + "; it resets at "
        + Instant.ofEpochMilli(resetsAt)
        + "; raise limits.maxDailyTokens or wait until then";
  }

  /** {@code 24h}, {@code 90m}, {@code 45s}. */
  static String windowText(long millis) {
    Duration d = Duration.ofMillis(millis);
    if (d.toSeconds() % 3600 == 0) {
      return d.toHours() + "h";
    }
    if (d.toSeconds() % 60 == 0) {
      return d.toMinutes() + "m";
    }
    return d.toSeconds() + "s";
  }
}
