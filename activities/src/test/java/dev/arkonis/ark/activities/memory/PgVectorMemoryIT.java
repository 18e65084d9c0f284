package dev.arkonis.ark.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.arkonis.ark.workflows.api.MemoryActivities;
import dev.arkonis.ark.workflows.api.MemorySpec;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vector-store backend with provider pgvector on a real PostgreSQL + pgvector
 * (scripts/pgvector).
 */
class PgVectorMemoryIT {
  static String url;

  @TempDir Path dir;

  @BeforeAll
  static void postgres() {
    url = System.getenv("ARK_TEST_PGVECTOR_URL");
    if (url == null || url.isBlank()) {
      fail("ARK_TEST_PGVECTOR_URL is not set: run the tests with scripts/test");
    }
  }

  private static MemorySpec spec(String collection, String agent, String endpoint) {
    return new MemorySpec(
        "ns",
        "notes",
        agent,
        MemorySpec.VECTOR_STORE,
        "pgvector",
        endpoint,
        collection,
        0,
        0,
        null);
  }

  @Test
  void storedTasksAreRecalledByRelevanceForTheSameAgentOnly() throws Exception {
    String collection = "mem-" + UUID.randomUUID().toString().substring(0, 8);
    MemoryActivitiesImpl memory = new MemoryActivitiesImpl(ref -> Optional.empty(), dir);
    memory.store(
        new MemoryActivities.StoreRequest(
            spec(collection, "analyst", url), "Which port does billing use?", "8443"));
    memory.store(
        new MemoryActivities.StoreRequest(
            spec(collection, "analyst", url), "What colour is the logo?", "teal"));
    memory.store(
        new MemoryActivities.StoreRequest(
            spec(collection, "writer", url), "Which port does billing use?", "other agent"));

    MemoryActivities.Recalled recalled =
        memory.recall(
            new MemoryActivities.RecallRequest(
                spec(collection, "analyst", url), "billing port number", 1));
    assertThat(recalled.problem()).isNull();
    assertThat(recalled.memories())
        .containsExactly("Task: Which port does billing use?\nAnswer: 8443");

    // a new worker (new activities, new store objects) reads the same rows
    MemoryActivitiesImpl restarted = new MemoryActivitiesImpl(ref -> Optional.empty(), dir);
    assertThat(
            restarted
                .recall(
                    new MemoryActivities.RecallRequest(spec(collection, "analyst", url), "logo", 5))
                .memories())
        .hasSize(2)
        .noneMatch(m -> m.contains("other agent"));

    MemoryActivitiesImpl.PgEndpoint pg = MemoryActivitiesImpl.PgEndpoint.parse(url);
    try (Connection c = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), "");
        ResultSet rows =
            c.createStatement()
                .executeQuery(
                    "select count(*) from " + MemoryActivitiesImpl.PgEndpoint.table(collection))) {
      rows.next();
      assertThat(rows.getInt(1)).isEqualTo(3);
    }
  }

  @Test
  void aPostgresThatIsDownIsAProblemNotAFailure() {
    MemoryActivitiesImpl memory = new MemoryActivitiesImpl(ref -> Optional.empty(), dir);
    MemoryActivities.Recalled recalled =
        memory.recall(
            new MemoryActivities.RecallRequest(
                spec("agent-memories", "analyst", "postgres://ark@127.0.0.1:1/ark"), "t", 5));
    assertThat(recalled.memories()).isEmpty();
    assertThat(recalled.problem())
        .startsWith("ArkMemory ns/notes (vector-store pgvector): cannot recall: ");
  }
}
