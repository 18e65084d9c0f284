package dev.arkonis.ark.bridge.dashboard;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.http.EventStream;
import dev.arkonis.ark.bridge.http.Exchange;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Pushes the cache to the browsers over Server-Sent Events: a {@code snapshot} event when a stream
 * opens (every object of every kind, and the dashboard's settings), then one {@code change} event
 * per informer add, update or delete ({@code {kind, namespace, name, object}}, {@code object} null
 * on delete), and a heartbeat comment every 15 s. The browser never polls; its {@code EventSource}
 * reconnects after a dropped connection and gets a fresh snapshot. The hub listens to the cache
 * only while a stream is open: with no browser watching, informer events cost no JSON work.
 */
final class DashboardHub implements DashboardCache.Listener, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final long HEARTBEAT_SECONDS = 15;

  private final DashboardCache cache;
  private final JsonNode settings;
  private final Set<EventStream> streams = new LinkedHashSet<>();
  private final ScheduledExecutorService heartbeat =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "ark-dashboard-heartbeat");
            t.setDaemon(true);
            return t;
          });

  DashboardHub(DashboardCache cache, JsonNode settings) {
    this.cache = cache;
    this.settings = settings;
    heartbeat.scheduleAtFixedRate(
        this::beat, HEARTBEAT_SECONDS, HEARTBEAT_SECONDS, TimeUnit.SECONDS);
  }

  /** The {@code GET /api/stream} route. */
  void open(Exchange exchange, EventStream stream) {
    synchronized (streams) {
      if (streams.isEmpty()) {
        // before the snapshot: a change meanwhile is sent after it (this lock), never lost
        cache.addListener(this);
      }
      streams.add(stream);
      stream.send("snapshot", write(snapshot()));
    }
    stream.onClose(
        () -> {
          synchronized (streams) {
            if (streams.remove(stream) && streams.isEmpty()) {
              cache.removeListener(this);
            }
          }
        });
  }

  /** Every object of every kind plus the settings, as the snapshot event and GET /api/state. */
  ObjectNode snapshot() {
    ObjectNode state = JSON.createObjectNode();
    state.set("settings", settings);
    String notReady = cache.notReady();
    state.put("synced", notReady == null);
    ObjectNode objects = state.putObject("objects");
    for (String kind : DashboardCache.KINDS) {
      objects.putArray(kind).addAll(cache.list(kind));
    }
    return state;
  }

  @Override
  public void changed(String kind, String namespace, String name, JsonNode object) {
    ObjectNode change = JSON.createObjectNode();
    change.put("kind", kind).put("namespace", namespace).put("name", name);
    change.set("object", object);
    String data = write(change);
    synchronized (streams) {
      for (EventStream stream : Set.copyOf(streams)) {
        stream.send("change", data);
      }
    }
  }

  int streams() {
    synchronized (streams) {
      return streams.size();
    }
  }

  private void beat() {
    synchronized (streams) {
      for (EventStream stream : Set.copyOf(streams)) {
        stream.comment("heartbeat");
      }
    }
  }

  private static String write(JsonNode node) {
    try {
      return JSON.writeValueAsString(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    cache.removeListener(this);
    heartbeat.shutdownNow();
    synchronized (streams) {
      for (EventStream stream : Set.copyOf(streams)) {
        stream.close();
      }
      streams.clear();
    }
  }
}
