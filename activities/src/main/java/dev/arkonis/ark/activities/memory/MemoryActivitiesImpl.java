package dev.arkonis.ark.activities.memory;

import dev.arkonis.ark.workflows.api.MemoryActivities;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.inmemory.InMemoryEmbeddingStore;
import dev.langchain4j.store.embedding.pgvector.PgVectorEmbeddingStore;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code recallMemory} and {@code storeMemory} on an agent's workers. Every backend failure becomes
 * the answer's {@code problem} (the task then runs without memory), never an activity failure;
 * Secret values are read here and never appear in a problem or a log line.
 */
public final class MemoryActivitiesImpl implements MemoryActivities {
  /** Environment variable: the folder of the {@code in-context} backend's files. */
  public static final String DIR_ENV = "ARK_MEMORY_DIR";

  private static final Logger LOG = LoggerFactory.getLogger(MemoryActivitiesImpl.class);

  /** In-memory vector stores of this process, per ArkMemory and collection. */
  private static final Map<String, InMemoryEmbeddingStore<TextSegment>> IN_MEMORY =
      new ConcurrentHashMap<>();

  private final MemorySecrets secrets;
  private final Path dir;
  private final Clock clock;
  private final Map<String, MemoryStore> stores = new ConcurrentHashMap<>();

  /**
   * @param secrets where the ArkMemory's Secret key is read
   * @param dir the folder of the {@code in-context} backend ({@link #defaultDir})
   */
  public MemoryActivitiesImpl(MemorySecrets secrets, Path dir) {
    this(secrets, dir, Clock.systemUTC());
  }

  MemoryActivitiesImpl(MemorySecrets secrets, Path dir, Clock clock) {
    this.secrets = secrets;
    this.dir = dir;
    this.clock = clock;
  }

  /** {@code $ARK_MEMORY_DIR}, else {@code ~/.ark/memory}. */
  public static Path defaultDir(Map<String, String> env) {
    String set = env.get(DIR_ENV);
    return set != null && !set.isBlank()
        ? Path.of(set)
        : Path.of(System.getProperty("user.home"), ".ark", "memory");
  }

  @Override
  public Recalled recall(RecallRequest request) {
    MemorySpec memory = request.memory();
    try {
      List<String> found =
          store(memory).recall(memory.scope(), request.task(), Math.max(1, request.topK()));
      return new Recalled(found, null);
    } catch (RuntimeException e) {
      return new Recalled(List.of(), problem(memory, "recall", e));
    }
  }

  @Override
  public Stored store(StoreRequest request) {
    MemorySpec memory = request.memory();
    try {
      store(memory).store(memory.scope(), summary(request.task(), request.answer()));
      return new Stored(null);
    } catch (RuntimeException e) {
      return new Stored(problem(memory, "store", e));
    }
  }

  /** Throws when {@code memory}'s backend cannot be reached now (the reconciler's check). */
  public void ping(MemorySpec memory) {
    store(memory).ping();
  }

  /** What one memory holds: the task and the answer. */
  static String summary(String task, String answer) {
    return "Task: " + task.strip() + "\nAnswer: " + (answer == null ? "" : answer.strip());
  }

  private MemoryStore store(MemorySpec memory) {
    Optional<String> secret =
        memory.secret() == null ? Optional.empty() : secrets.value(memory.secret());
    if (memory.secret() != null && secret.isEmpty() && MemorySpec.REDIS.equals(memory.backend())) {
      throw new MemoryException(
          memory.secret()
              + " cannot be read by this worker; create it with the Redis URL (or fix"
              + " spec.redis.secretRef)");
    }
    String key =
        memory.namespace()
            + "/"
            + memory.name()
            + "|"
            + memory
            + "|"
            + secret.map(String::hashCode).orElse(0);
    MemoryStore cached = stores.get(key);
    if (cached != null) {
      return cached;
    }
    MemoryStore created = create(memory, secret.orElse(null));
    stores.put(key, created);
    return created;
  }

  private MemoryStore create(MemorySpec memory, String secret) {
    String prefix = memory.namespace() + "/" + memory.name();
    switch (memory.backend()) {
      case MemorySpec.IN_CONTEXT:
        return new InContextMemory(dir.resolve(memory.namespace()).resolve(memory.name()));
      case MemorySpec.REDIS:
        return new RedisMemory(secret, prefix, memory.ttlSeconds(), memory.maxEntries(), clock);
      case MemorySpec.VECTOR_STORE:
        if ("in-memory".equals(memory.provider())) {
          InMemoryEmbeddingStore<TextSegment> store =
              IN_MEMORY.computeIfAbsent(
                  prefix + "/" + memory.collection(), k -> new InMemoryEmbeddingStore<>());
          return new VectorMemory(store, memory.ttlSeconds(), clock, () -> {});
        }
        if ("pgvector".equals(memory.provider())) {
          return pgvector(memory, secret);
        }
        throw new MemoryException(
            "vectorStore.provider \"" + memory.provider() + "\" is not supported");
      default:
        throw new MemoryException("backend \"" + memory.backend() + "\" is not supported");
    }
  }

  private MemoryStore pgvector(MemorySpec memory, String password) {
    PgEndpoint pg = PgEndpoint.parse(memory.endpoint());
    PGSimpleDataSource source = new PGSimpleDataSource();
    source.setServerNames(new String[] {pg.host()});
    source.setPortNumbers(new int[] {pg.port()});
    source.setDatabaseName(pg.database());
    source.setUser(pg.user());
    if (password != null) {
      source.setPassword(password);
    }
    source.setConnectTimeout(5);
    source.setSocketTimeout(30);
    PgVectorEmbeddingStore store =
        PgVectorEmbeddingStore.datasourceBuilder()
            .datasource(source)
            .table(PgEndpoint.table(memory.collection()))
            .dimension(Embeddings.DIMENSION)
            .createTable(true)
            .useIndex(false)
            .build();
    Runnable ping =
        () -> {
          try (Connection c = source.getConnection()) {
            c.isValid(3);
          } catch (java.sql.SQLException e) {
            throw new MemoryException(e.getMessage());
          }
        };
    return new VectorMemory(store, memory.ttlSeconds(), clock, ping);
  }

  private String problem(MemorySpec memory, String what, RuntimeException e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    Optional<String> secret =
        memory.secret() == null ? Optional.empty() : secrets.value(memory.secret());
    if (secret.isPresent() && !secret.get().isEmpty()) {
      message = message.replace(secret.get(), "<" + memory.secret().key() + ">");
    }
    String line =
        memory.describe() + " (" + backendName(memory) + "): cannot " + what + ": " + message;
    LOG.warn("{}", line);
    return line;
  }

  static String backendName(MemorySpec memory) {
    return MemorySpec.VECTOR_STORE.equals(memory.backend())
        ? "vector-store " + memory.provider()
        : memory.backend();
  }

  /** A backend problem with a message a user can act on. */
  static final class MemoryException extends RuntimeException {
    MemoryException(String message) {
      super(message);
    }
  }

  /** A pgvector endpoint {@code postgres://user@host:port/database}. */
  record PgEndpoint(String host, int port, String database, String user) {
    static PgEndpoint parse(String endpoint) {
      String url = endpoint.startsWith("jdbc:") ? endpoint.substring(5) : endpoint;
      URI uri = URI.create(url);
      String user = uri.getUserInfo() == null ? "postgres" : uri.getUserInfo().split(":", 2)[0];
      String path = uri.getPath() == null ? "" : uri.getPath().replaceFirst("^/", "");
      return new PgEndpoint(
          uri.getHost(),
          uri.getPort() > 0 ? uri.getPort() : 5432,
          path.isEmpty() ? "postgres" : path,
          user);
    }

    String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }

    /** The table of a collection: characters other than letters, digits and _ become _. */
    static String table(String collection) {
      String c = collection == null || collection.isBlank() ? "agent-memories" : collection;
      return c.replaceAll("[^A-Za-z0-9_]", "_").toLowerCase(java.util.Locale.ROOT);
    }
  }
}
