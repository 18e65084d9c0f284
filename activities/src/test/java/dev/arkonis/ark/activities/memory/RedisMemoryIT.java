package dev.arkonis.ark.activities.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.arkonis.ark.workflows.api.MemoryActivities;
import dev.arkonis.ark.workflows.api.MemorySpec;
import dev.arkonis.ark.workflows.api.SecretRef;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.JedisPooled;

/** The redis backend on a real redis-server (scripts/redis). */
class RedisMemoryIT {
  static String url;

  @TempDir Path dir;

  @BeforeAll
  static void redis() {
    url = System.getenv("ARK_TEST_REDIS_URL");
    if (url == null || url.isBlank()) {
      fail("ARK_TEST_REDIS_URL is not set: run the tests with scripts/test");
    }
  }

  private static MemorySpec spec(String name, String agent, int ttl, int maxEntries) {
    return new MemorySpec(
        "ns",
        name,
        agent,
        MemorySpec.REDIS,
        "",
        "",
        "",
        ttl,
        maxEntries,
        new SecretRef("ns", "redis", "REDIS_URL"));
  }

  private MemoryActivitiesImpl activities(String redisUrl) {
    return new MemoryActivitiesImpl(ref -> Optional.of(redisUrl), dir);
  }

  @Test
  void aStoredTaskIsRecalledByTheSameAgentMostRelevantFirst() {
    String name = "m-" + UUID.randomUUID();
    MemoryActivitiesImpl memory = activities(url);
    memory.store(
        new MemoryActivities.StoreRequest(
            spec(name, "analyst", 3600, 0), "Which port does billing use?", "Billing uses 8443."));
    memory.store(
        new MemoryActivities.StoreRequest(
            spec(name, "analyst", 3600, 0), "What colour is the logo?", "The logo is teal."));
    memory.store(
        new MemoryActivities.StoreRequest(
            spec(name, "writer", 3600, 0), "Which port does billing use?", "Not this agent's."));

    MemoryActivities.Recalled recalled =
        memory.recall(
            new MemoryActivities.RecallRequest(
                spec(name, "analyst", 3600, 0), "billing service port", 1));
    assertThat(recalled.problem()).isNull();
    assertThat(recalled.memories())
        .containsExactly("Task: Which port does billing use?\nAnswer: Billing uses 8443.");
    assertThat(
            memory
                .recall(new MemoryActivities.RecallRequest(spec(name, "analyst", 3600, 0), "x", 10))
                .memories())
        .hasSize(2)
        .noneMatch(m -> m.contains("Not this agent's"));
  }

  @Test
  void maxEntriesKeepsTheNewestAndTtlExpiresTheKey() {
    String name = "m-" + UUID.randomUUID();
    MemoryActivitiesImpl memory = activities(url);
    MemorySpec spec = spec(name, "analyst", 60, 2);
    for (int i = 1; i <= 4; i++) {
      memory.store(new MemoryActivities.StoreRequest(spec, "task " + i, "answer " + i));
    }
    RedisMemory redisMemory =
        new RedisMemory(url, "ns/" + name, 60, 2, java.time.Clock.systemUTC());
    String key = redisMemory.key("analyst");
    try (JedisPooled redis = new JedisPooled(java.net.URI.create(url))) {
      assertThat(redis.zcard(key)).isEqualTo(2);
      assertThat(redis.ttl(key)).isBetween(1L, 60L);
    }
    assertThat(memory.recall(new MemoryActivities.RecallRequest(spec, "task", 10)).memories())
        .containsExactlyInAnyOrder(
            "Task: task 3\nAnswer: answer 3", "Task: task 4\nAnswer: answer 4");
    redisMemory.close();
  }

  @Test
  void entriesOlderThanTtlAreNotRecalled() {
    String name = "m-" + UUID.randomUUID();
    VectorMemoryTest.MutableClock clock = new VectorMemoryTest.MutableClock();
    RedisMemory memory = new RedisMemory(url, "ns/" + name, 60, 0, clock);
    memory.store("analyst", "old");
    clock.advance(Duration.ofSeconds(61));
    memory.store("analyst", "new");
    assertThat(memory.recall("analyst", "anything", 10)).containsExactly("new");
    memory.close();
  }

  @Test
  void aRedisThatIsDownIsAProblemWithoutTheSecret() {
    String down = "redis://:s3cretpass@127.0.0.1:1/0";
    MemoryActivitiesImpl memory = new MemoryActivitiesImpl(ref -> Optional.of(down), dir);
    MemoryActivities.Recalled recalled =
        memory.recall(
            new MemoryActivities.RecallRequest(spec("notes", "analyst", 60, 0), "task", 5));
    assertThat(recalled.memories()).isEmpty();
    assertThat(recalled.problem())
        .startsWith("ArkMemory ns/notes (redis): cannot recall: ")
        .doesNotContain("s3cretpass");
    assertThat(
            memory
                .store(new MemoryActivities.StoreRequest(spec("notes", "analyst", 60, 0), "t", "a"))
                .problem())
        .startsWith("ArkMemory ns/notes (redis): cannot store: ");
  }

  @Test
  void aSecretTheWorkerCannotReadIsAProblemNamingIt() {
    MemoryActivitiesImpl memory = new MemoryActivitiesImpl(MemorySecrets.NONE, dir);
    assertThat(
            memory
                .recall(new MemoryActivities.RecallRequest(spec("notes", "analyst", 60, 0), "t", 5))
                .problem())
        .isEqualTo(
            "ArkMemory ns/notes (redis): cannot recall: Secret ns/redis key REDIS_URL cannot be"
                + " read by this worker; create it with the Redis URL (or fix"
                + " spec.redis.secretRef)");
  }
}
