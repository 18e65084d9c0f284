package dev.arkonis.ark.activities.spec;

import com.fasterxml.jackson.databind.JsonNode;
import dev.arkonis.ark.crd.manifest.Manifest;
import dev.arkonis.ark.crd.manifest.Problem;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.arkonis.ark.workflows.api.SecretRef;
import java.net.URI;
import java.util.List;

/**
 * ArkMemory specs: to a {@link MemorySpec} for the workflows, and the rules a schema cannot say.
 */
public final class MemorySpecs {
  /** The key of {@code spec.redis.secretRef} holding the Redis URL. */
  public static final String REDIS_URL = "REDIS_URL";

  /** The key of {@code spec.vectorStore.secretRef}: API key (qdrant) or password (pgvector). */
  public static final String VECTOR_STORE_API_KEY = "VECTOR_STORE_API_KEY";

  /** Default {@code spec.redis.ttlSeconds} (the CRD's default). */
  static final int DEFAULT_REDIS_TTL = 3600;

  private MemorySpecs() {}

  /**
   * The ArkMemory {@code name} ({@code spec}) as agent {@code agent} uses it.
   *
   * @param namespace the ArkMemory's namespace (the run's)
   */
  public static MemorySpec of(String namespace, String name, String agent, JsonNode spec) {
    String backend = spec.path("backend").asText();
    if (MemorySpec.REDIS.equals(backend)) {
      JsonNode redis = spec.path("redis");
      return new MemorySpec(
          namespace,
          name,
          agent,
          backend,
          "",
          "",
          "",
          redis.path("ttlSeconds").asInt(DEFAULT_REDIS_TTL),
          redis.path("maxEntries").asInt(0),
          new SecretRef(namespace, redis.path("secretRef").path("name").asText(), REDIS_URL));
    }
    if (MemorySpec.VECTOR_STORE.equals(backend)) {
      JsonNode store = spec.path("vectorStore");
      String secret = store.path("secretRef").path("name").asText("");
      return new MemorySpec(
          namespace,
          name,
          agent,
          backend,
          store.path("provider").asText(),
          store.path("endpoint").asText(""),
          store.path("collection").asText("agent-memories"),
          store.path("ttlSeconds").asInt(0),
          0,
          secret.isEmpty() ? null : new SecretRef(namespace, secret, VECTOR_STORE_API_KEY));
    }
    return new MemorySpec(namespace, name, agent, backend, "", "", "", 0, 0, null);
  }

  /** ArkMemory rules beyond its schema: supported provider, an endpoint without a password. */
  static void check(Manifest manifest, JsonNode spec, List<Problem> problems) {
    JsonNode store = spec.path("vectorStore");
    if (!MemorySpec.VECTOR_STORE.equals(spec.path("backend").asText()) || !store.isObject()) {
      return;
    }
    String provider = store.path("provider").asText();
    if (provider.equals("qdrant")) {
      problems.add(
          manifest.problem(
              "spec.vectorStore.provider",
              Unsupported.message(
                  "vectorStore.provider qdrant (use pgvector or in-memory; docs/memory.md)")));
      return;
    }
    if (!provider.equals("pgvector") || !store.hasNonNull("endpoint")) {
      return;
    }
    String endpoint = store.path("endpoint").asText();
    URI uri;
    try {
      uri = URI.create(endpoint.startsWith("jdbc:") ? endpoint.substring(5) : endpoint);
    } catch (IllegalArgumentException e) {
      uri = null;
    }
    if (uri == null
        || uri.getHost() == null
        || !("postgres".equals(uri.getScheme()) || "postgresql".equals(uri.getScheme()))) {
      problems.add(
          manifest.problem(
              "spec.vectorStore.endpoint",
              "\""
                  + endpoint
                  + "\" is not a PostgreSQL URL; write postgres://USER@HOST:PORT/DATABASE"));
      return;
    }
    if (uri.getUserInfo() != null && uri.getUserInfo().contains(":")) {
      problems.add(
          manifest.problem(
              "spec.vectorStore.endpoint",
              "contains a password; remove it from the URL and put it in a Secret under key "
                  + VECTOR_STORE_API_KEY
                  + ", named by spec.vectorStore.secretRef"));
    }
  }
}
