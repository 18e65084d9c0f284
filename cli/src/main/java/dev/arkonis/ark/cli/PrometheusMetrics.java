package dev.arkonis.ark.cli;

import com.uber.m3.tally.RootScopeBuilder;
import com.uber.m3.tally.Scope;
import com.uber.m3.tally.ScopeCloseException;
import dev.arkonis.ark.bridge.http.Reply;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;

/**
 * The process's Prometheus registry, served as {@code GET /metrics} on the health port of {@code
 * ark operator}, {@code ark agent} and {@code ark dev}. It joins Micrometer's global registry, so
 * what the activities record ({@link dev.arkonis.ark.activities.metrics.ArkMetrics#global()}) is in
 * it; the Temporal SDK's client and worker metrics reach it through {@link #temporalScope()}; the
 * JVM's own metrics are bound once. Values recorded before the registry joins are not in it, so it
 * joins when the first Temporal connection or health server is made, before any activity runs.
 */
final class PrometheusMetrics {
  /** The Prometheus text exposition format, version 0.0.4. */
  static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

  /** How often the Temporal SDK's tally scope reports into the registry. */
  private static final com.uber.m3.util.Duration SDK_REPORT_INTERVAL =
      com.uber.m3.util.Duration.ofSeconds(5);

  /**
   * JVM meters whose Prometheus names break the naming conventions ({@code promtool check
   * metrics}): {@code system_cpu_count} (a gauge named like a histogram's count) and {@code
   * process_cpu_time_ns_total} (an abbreviated unit).
   */
  private static final Set<String> AGAINST_CONVENTIONS =
      Set.of("system.cpu.count", "process.cpu.time");

  /** The Temporal SDK's gauge named like a histogram's count, in the SDK's spelling. */
  private static final String SDK_THREAD_COUNT = "temporal_workflow_active_thread_count";

  /**
   * The Temporal SDK registers its meters without help text: each gets one pointing at the SDK's
   * metric reference; its one gauge ending in {@code _count} is renamed.
   */
  private static final MeterFilter CONVENTIONS =
      new MeterFilter() {
        @Override
        public Meter.Id map(Meter.Id id) {
          String name = id.getName();
          if (!name.startsWith("temporal_")
              || (id.getDescription() != null && !id.getDescription().isBlank())) {
            return id;
          }
          return new Meter.Id(
              name.equals(SDK_THREAD_COUNT) ? "temporal_workflow_active_threads" : name,
              Tags.of(id.getTagsAsIterable()),
              id.getBaseUnit(),
              "Temporal Java SDK metric "
                  + name
                  + " (https://docs.temporal.io/references/sdk-metrics)",
              id.getType());
        }
      };

  private static PrometheusMeterRegistry registry;

  private PrometheusMetrics() {}

  /** The registry, created and joined to the global registry on first use. */
  static synchronized PrometheusMeterRegistry registry() {
    if (registry == null) {
      PrometheusMeterRegistry created = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      created
          .config()
          .meterFilter(MeterFilter.deny(id -> AGAINST_CONVENTIONS.contains(id.getName())))
          .meterFilter(CONVENTIONS);
      new ClassLoaderMetrics().bindTo(created);
      new JvmMemoryMetrics().bindTo(created);
      new JvmGcMetrics().bindTo(created);
      new JvmThreadMetrics().bindTo(created);
      new ProcessorMetrics().bindTo(created);
      new UptimeMetrics().bindTo(created);
      Metrics.addRegistry(created);
      registry = created;
    }
    return registry;
  }

  /**
   * A tally scope reporting the Temporal SDK's metrics (requests, polls, task slots, latencies)
   * into the registry; closed with the connection that uses it (it owns a reporting thread).
   */
  static Scope temporalScope() {
    return new RootScopeBuilder()
        .reporter(new SharedRegistryReporter(registry()))
        .reportEvery(SDK_REPORT_INTERVAL);
  }

  /**
   * The SDK's reporter closes its registry when its scope is closed; this one belongs to the
   * process and outlives each connection (a closed registry silently drops every meter registered
   * after), so closing the reporter leaves it open.
   */
  private static final class SharedRegistryReporter extends MicrometerClientStatsReporter {
    SharedRegistryReporter(MeterRegistry registry) {
      super(registry);
    }

    @Override
    public void close() {
      // the registry stays open: other connections and the activities still record into it
    }
  }

  /** Closes a scope from {@link #temporalScope()}, flushing what it has not reported yet. */
  static void close(Scope scope) {
    try {
      scope.close();
    } catch (ScopeCloseException e) {
      // shutting down: the last interval's SDK metrics are lost, nothing else
    }
  }

  /** The answer to {@code GET /metrics}. */
  static Reply scrape() {
    return new Reply(
        200, CONTENT_TYPE, registry().scrape().getBytes(StandardCharsets.UTF_8), Map.of());
  }
}
