package dev.arkonis.ark.activities.memory;

import dev.langchain4j.data.embedding.Embedding;
import dev.langchain4j.model.embedding.EmbeddingModel;
import dev.langchain4j.model.embedding.onnx.allminilml6v2.AllMiniLmL6V2EmbeddingModel;

/**
 * The embedding model of the vector-store and redis backends: all-MiniLM-L6-v2, in-process (ONNX,
 * shipped in the jar, no download), 384 dimensions. Loaded once per process, on first use.
 */
final class Embeddings {
  static final int DIMENSION = 384;

  private static volatile EmbeddingModel model;

  private Embeddings() {}

  static EmbeddingModel model() {
    EmbeddingModel m = model;
    if (m == null) {
      synchronized (Embeddings.class) {
        if (model == null) {
          model = new AllMiniLmL6V2EmbeddingModel();
        }
        m = model;
      }
    }
    return m;
  }

  static float[] embed(String text) {
    Embedding embedding = model().embed(text).content();
    return embedding.vector();
  }

  /** Cosine similarity of two vectors of the same length. */
  static double cosine(float[] a, float[] b) {
    double dot = 0;
    double na = 0;
    double nb = 0;
    for (int i = 0; i < Math.min(a.length, b.length); i++) {
      dot += a[i] * b[i];
      na += a[i] * a[i];
      nb += b[i] * b[i];
    }
    return na == 0 || nb == 0 ? 0 : dot / Math.sqrt(na * nb);
  }
}
