package dev.arkonis.ark.bridge.webhook;

import static dev.arkonis.ark.bridge.webhook.HttpIo.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.webhook.HttpIo.Reply;
import dev.arkonis.ark.workflows.api.EventFireWorkflow.FireResult;
import dev.arkonis.ark.workflows.run.Phases;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/**
 * The reply of a {@code mode=sync} fire: 200 with the output when every run succeeded, 500 with
 * phases and messages when one did not or the fire failed, 504 when the wait timed out (the runs
 * keep going).
 */
final class SyncReplies {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SyncReplies.class);

  private final EventStore store;

  SyncReplies(EventStore store) {
    this.store = store;
  }

  Reply reply(
      String namespace,
      WebhookServer.Fire fire,
      FireResult result,
      Throwable error,
      Duration timeout) {
    if (error != null) {
      return failure(fire, unwrap(error), timeout);
    }
    List<String> runs =
        result.runs() == null || result.runs().isEmpty() ? fire.runs() : result.runs();
    Map<String, String> phases = result.phases() == null ? Map.of() : result.phases();
    Map<String, String> outputs = result.outputs() == null ? Map.of() : result.outputs();
    ObjectNode body = JSON.createObjectNode();
    body.set("runs", JSON.valueToTree(runs));
    if (runs.stream().allMatch(run -> Phases.SUCCEEDED.equals(phases.get(run)))) {
      if (runs.size() == 1) {
        body.put("output", outputs.get(runs.get(0)));
      } else {
        Map<String, String> byRun = new LinkedHashMap<>();
        runs.forEach(run -> byRun.put(run, outputs.get(run)));
        body.set("output", JSON.valueToTree(byRun));
      }
      return new Reply(200, body);
    }
    Map<String, String> allPhases = new LinkedHashMap<>();
    Map<String, String> messages = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    for (String run : runs) {
      String phase = phases.getOrDefault(run, "Unknown");
      allPhases.put(run, phase);
      if (!Phases.SUCCEEDED.equals(phase)) {
        String message = message(namespace, run);
        if (message != null) {
          messages.put(run, message);
        }
        problems.add("ArkRun " + run + " " + phase + (message == null ? "" : ": " + message));
      }
    }
    body.put("error", String.join("; ", problems));
    body.set("phases", JSON.valueToTree(allPhases));
    body.set("messages", JSON.valueToTree(messages));
    return new Reply(500, body);
  }

  private Reply failure(WebhookServer.Fire fire, Throwable error, Duration timeout) {
    ObjectNode body = JSON.createObjectNode();
    int status;
    if (error instanceof TimeoutException) {
      status = 504;
      body.put(
          "error",
          "the runs did not finish within "
              + HttpIo.format(timeout)
              + "; they keep running: kubectl get arkrun "
              + String.join(" ", fire.runs()));
    } else if (error instanceof WorkflowFailedException failed) {
      status = 500;
      Throwable cause = failed.getCause() == null ? failed : failed.getCause();
      while (cause.getCause() != null && !(cause instanceof ApplicationFailure)) {
        cause = cause.getCause();
      }
      String message =
          cause instanceof TemporalFailure temporal
              ? temporal.getOriginalMessage()
              : cause.getMessage();
      body.put(
          "error",
          (failed.getCause() instanceof CanceledFailure
                  ? "the fire was cancelled: "
                  : "the fire failed (workflow " + fire.workflowId() + "): ")
              + message);
    } else {
      status = 500;
      LOG.warn("webhook: cannot wait for fire {}: {}", fire.workflowId(), error.toString(), error);
      body.put(
          "error",
          "cannot wait for the fire (workflow "
              + fire.workflowId()
              + "); its runs may still go on: kubectl get arkrun "
              + String.join(" ", fire.runs()));
    }
    body.set("runs", JSON.valueToTree(fire.runs()));
    return new Reply(status, body);
  }

  private String message(String namespace, String run) {
    try {
      return store.runMessage(namespace, run);
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static Throwable unwrap(Throwable error) {
    Throwable e = error;
    while ((e instanceof CompletionException || e instanceof ExecutionException)
        && e.getCause() != null) {
      e = e.getCause();
    }
    return e;
  }
}
