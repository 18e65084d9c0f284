package dev.arkonis.ark.activities.memory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import redis.clients.jedis.JedisPooled;

/**
 * Backend {@code redis}: one sorted set per agent, {@code ark:memory:<namespace>/<memory>:<agent>},
 * scored by the time a memory was stored; each member is {@code {id, at, text, vector}} (the
 * all-MiniLM-L6-v2 embedding of the text). Store drops members older than {@code ttlSeconds} and
 * beyond the newest {@code maxEntries}, and lets the key expire {@code ttlSeconds} after the last
 * store; recall reads the remaining members (at most {@link #SCAN_LIMIT}, newest first) and ranks
 * them by cosine similarity to the task.
 */
final class RedisMemory implements MemoryStore {
  /** Newest members read by a recall when {@code maxEntries} is unlimited. */
  static final int SCAN_LIMIT = 1000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int TIMEOUT_MILLIS = 3000;

  private final JedisPooled redis;
  private final String prefix;
  private final int ttlSeconds;
  private final int maxEntries;
  private final Clock clock;

  RedisMemory(String url, String prefix, int ttlSeconds, int maxEntries, Clock clock) {
    this.redis = new JedisPooled(URI.create(url), TIMEOUT_MILLIS);
    this.prefix = prefix;
    this.ttlSeconds = ttlSeconds;
    this.maxEntries = maxEntries;
    this.clock = clock;
  }

  String key(String scope) {
    return "ark:memory:" + prefix + ":" + scope;
  }

  @Override
  public List<String> recall(String scope, String query, int topK) {
    String key = key(scope);
    expireOld(key);
    int limit = maxEntries > 0 ? maxEntries : SCAN_LIMIT;
    List<String> members = redis.zrevrange(key, 0, limit - 1);
    if (members.isEmpty()) {
      return List.of();
    }
    float[] q = Embeddings.embed(query);
    record Scored(String text, double score, double at) {}
    List<Scored> scored = new ArrayList<>();
    for (String member : members) {
      try {
        JsonNode node = JSON.readTree(member);
        float[] v = JSON.convertValue(node.path("vector"), float[].class);
        scored.add(
            new Scored(
                node.path("text").asText(), Embeddings.cosine(q, v), node.path("at").asDouble()));
      } catch (Exception e) {
        // a member not written by ark: skipped
      }
    }
    scored.sort(Comparator.comparingDouble(Scored::score).reversed().thenComparing(s -> -s.at()));
    return scored.stream().limit(topK).map(Scored::text).toList();
  }

  @Override
  public void store(String scope, String text) {
    String key = key(scope);
    long now = clock.millis();
    ObjectNode member = JSON.createObjectNode();
    member.put("id", UUID.randomUUID().toString());
    member.put("at", now);
    member.put("text", text);
    member.set("vector", JSON.valueToTree(Embeddings.embed(text)));
    redis.zadd(key, now, member.toString());
    expireOld(key);
    if (maxEntries > 0) {
      redis.zremrangeByRank(key, 0, -(maxEntries + 1L));
    }
    if (ttlSeconds > 0) {
      redis.expire(key, ttlSeconds);
    }
  }

  @Override
  public void ping() {
    redis.ping();
  }

  private void expireOld(String key) {
    if (ttlSeconds > 0) {
      redis.zremrangeByScore(key, Double.NEGATIVE_INFINITY, clock.millis() - ttlSeconds * 1000.0);
    }
  }

  void close() {
    redis.close();
  }
}
