package dev.arkonis.ark.activities.memory;

import static dev.langchain4j.store.embedding.filter.MetadataFilterBuilder.metadataKey;

import dev.langchain4j.data.document.Metadata;
import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.data.segment.TextSegment;
import dev.langchain4j.store.embedding.EmbeddingMatch;
import dev.langchain4j.store.embedding.EmbeddingSearchRequest;
import dev.langchain4j.store.embedding.EmbeddingStore;
import dev.langchain4j.store.embedding.filter.Filter;
import java.time.Clock;
import java.util.List;

/**
 * Backend {@code vector-store} ({@code pgvector} or {@code in-memory}): a langchain4j {@link
 * EmbeddingStore} of all-MiniLM-L6-v2 embeddings; each memory carries the metadata {@code scope}
 * (the agent) and {@code at} (epoch milliseconds). Recall is a similarity search filtered by the
 * agent (and by age when {@code ttlSeconds} is set); store removes the agent's expired memories.
 */
final class VectorMemory implements MemoryStore {
  private final EmbeddingStore<TextSegment> store;
  private final int ttlSeconds;
  private final Clock clock;
  private final Runnable ping;

  VectorMemory(EmbeddingStore<TextSegment> store, int ttlSeconds, Clock clock, Runnable ping) {
    this.store = store;
    this.ttlSeconds = ttlSeconds;
    this.clock = clock;
    this.ping = ping;
  }

  @Override
  public List<String> recall(String scope, String query, int topK) {
    Filter filter = metadataKey("scope").isEqualTo(scope);
    if (ttlSeconds > 0) {
      filter = filter.and(metadataKey("at").isGreaterThanOrEqualTo(cutoff()));
    }
    Embedding q = Embedding.from(Embeddings.embed(query));
    List<EmbeddingMatch<TextSegment>> matches =
        store
            .search(
                EmbeddingSearchRequest.builder()
                    .queryEmbedding(q)
                    .maxResults(topK)
                    .filter(filter)
                    .build())
            .matches();
    return matches.stream().map(m -> m.embedded().text()).toList();
  }

  @Override
  public void store(String scope, String text) {
    if (ttlSeconds > 0) {
      store.removeAll(
          metadataKey("scope").isEqualTo(scope).and(metadataKey("at").isLessThan(cutoff())));
    }
    TextSegment segment =
        TextSegment.from(text, Metadata.from("scope", scope).put("at", clock.millis()));
    store.add(Embedding.from(Embeddings.embed(text)), segment);
  }

  @Override
  public void ping() {
    ping.run();
  }

  private long cutoff() {
    return clock.millis() - ttlSeconds * 1000L;
  }
}
