package dev.arkonis.ark.activities.memory;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Backend {@code in-context}: the agent's most recent task summaries, newest first, put into the
 * next task as they are (no relevance ranking). Kept in a JSON file per agent under the worker's
 * memory folder ({@code <dir>/<namespace>/<memory>/<agent>.json}, written atomically), so they
 * survive a restart of the worker process; see docs/memory.md for where that folder is.
 */
final class InContextMemory implements MemoryStore {
  /** Summaries kept per agent. */
  static final int KEEP = 20;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  InContextMemory(Path dir) {
    this.dir = dir;
  }

  @Override
  public synchronized List<String> recall(String scope, String query, int topK) {
    List<String> all = read(scope);
    return all.subList(0, Math.min(topK, all.size()));
  }

  @Override
  public synchronized void store(String scope, String text) {
    List<String> all = new ArrayList<>(read(scope));
    all.add(0, text);
    ArrayNode out = JSON.createArrayNode();
    all.stream().limit(KEEP).forEach(out::add);
    Path file = file(scope);
    try {
      Files.createDirectories(file.getParent());
      Path tmp = Files.createTempFile(file.getParent(), ".memory", ".tmp");
      Files.writeString(tmp, out.toString(), StandardCharsets.UTF_8);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void ping() {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + e.getMessage(), e);
    }
  }

  private List<String> read(String scope) {
    Path file = file(scope);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      List<String> out = new ArrayList<>();
      JSON.readTree(file.toFile()).forEach(n -> out.add(n.asText()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private Path file(String scope) {
    return dir.resolve(scope + ".json");
  }
}
