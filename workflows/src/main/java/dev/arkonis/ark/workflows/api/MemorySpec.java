package dev.arkonis.ark.workflows.api;

/**
 * The ArkMemory an agent uses ({@code memoryRef}), as the memory activities need it. Never a
 * secret: the Redis URL and the vector store's key or password stay in their Secret, named by
 * {@code secret} and read by the activity on the agent's worker.
 *
 * @param namespace the ArkMemory's namespace
 * @param name the ArkMemory's name
 * @param scope the agent whose memories these are (the per-agent namespace in the store)
 * @param backend {@code in-context}, {@code redis} or {@code vector-store}
 * @param provider vector store: {@code pgvector} or {@code in-memory}; else empty
 * @param endpoint vector store URL (pgvector: {@code postgres://user@host:port/db}); else empty
 * @param collection vector store collection (pgvector: table); else empty
 * @param ttlSeconds how long a memory is kept; 0 = forever
 * @param maxEntries most memories kept per agent (redis); 0 = unlimited
 * @param secret the Secret key with {@code REDIS_URL} or {@code VECTOR_STORE_API_KEY}, or null
 */
public record MemorySpec(
    String namespace,
    String name,
    String scope,
    String backend,
    String provider,
    String endpoint,
    String collection,
    int ttlSeconds,
    int maxEntries,
    SecretRef secret) {
  public static final String IN_CONTEXT = "in-context";
  public static final String REDIS = "redis";
  public static final String VECTOR_STORE = "vector-store";

  /** Memories recalled into a task's prompt. */
  public static final int TOP_K = 5;

  /** {@code ArkMemory <namespace>/<name>}, for messages. */
  public String describe() {
    return "ArkMemory " + namespace + "/" + name;
  }
}
