package dev.arkonis.ark.bridge.codec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The payload codec's key ring: one AES-256 key per id; the first is the current one (encrypts),
 * all of them decrypt. Text form, one key a line, {@code #} comments and blank lines ignored:
 *
 * <pre>{@code
 * 2026-12=3q2+7w...   # current: new payloads are encrypted with it
 * 2026-06=Zm9v...     # older: still decrypts payloads written with it
 * }</pre>
 *
 * <p>Each value is 32 bytes in base64 ({@code openssl rand -base64 32}). The ring comes from the
 * environment: {@value #KEYS_ENV} (the text, e.g. from a Secret through {@code secretKeyRef}) or
 * {@value #KEY_FILE_ENV} (a file holding it, e.g. a mounted Secret).
 */
public final class CodecKeys {
  /** Environment variable holding the key ring text. */
  public static final String KEYS_ENV = "ARK_CODEC_KEYS";

  /** Environment variable naming a file holding the key ring text. */
  public static final String KEY_FILE_ENV = "ARK_CODEC_KEY_FILE";

  private static final int KEY_BYTES = 32;

  private final String currentId;
  private final Map<String, SecretKey> keys;

  private CodecKeys(String currentId, Map<String, SecretKey> keys) {
    this.currentId = currentId;
    this.keys = Collections.unmodifiableMap(keys);
  }

  /**
   * The key ring from {@code text}.
   *
   * @param source where the text came from, for messages (a file name or variable)
   * @throws IllegalArgumentException naming the source, line and what to do
   */
  public static CodecKeys parse(String text, String source) {
    Map<String, SecretKey> keys = new LinkedHashMap<>();
    String current = null;
    String[] lines = text.split("\r?\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int hash = line.indexOf('#');
      if (hash >= 0) {
        line = line.substring(0, hash);
      }
      line = line.strip();
      if (line.isEmpty()) {
        continue;
      }
      String where = source + " line " + (i + 1);
      int eq = line.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException(
            where + ": expected <key-id>=<base64 key>, e.g. 2026-12=$(openssl rand -base64 32)");
      }
      String id = line.substring(0, eq).strip();
      if (!id.matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException(
            where + ": key id \"" + id + "\" must be 1-64 letters, digits, '.', '_' or '-'");
      }
      byte[] key;
      try {
        key = Base64.getDecoder().decode(line.substring(eq + 1).strip());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            where + ": key " + id + " is not base64; generate one with 'openssl rand -base64 32'");
      }
      if (key.length != KEY_BYTES) {
        throw new IllegalArgumentException(
            where
                + ": key "
                + id
                + " is "
                + key.length
                + " bytes, AES-256 needs 32; generate one with 'openssl rand -base64 32'");
      }
      if (keys.put(id, new SecretKeySpec(key, "AES")) != null) {
        throw new IllegalArgumentException(where + ": key id " + id + " appears twice");
      }
      if (current == null) {
        current = id;
      }
    }
    if (current == null) {
      throw new IllegalArgumentException(
          source + ": no key; add a line <key-id>=<base64 key> (openssl rand -base64 32)");
    }
    return new CodecKeys(current, keys);
  }

  /** The key ring in {@code file}. */
  public static CodecKeys read(Path file) {
    try {
      return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read the payload codec keys from " + file + ": " + e.getMessage());
    }
  }

  /**
   * The key ring configured in {@code env} ({@value #KEYS_ENV} or {@value #KEY_FILE_ENV}), empty
   * when neither is set.
   */
  public static Optional<CodecKeys> fromEnvironment(Map<String, String> env) {
    String text = env.get(KEYS_ENV);
    if (text != null && !text.isBlank()) {
      return Optional.of(parse(text, KEYS_ENV));
    }
    String file = env.get(KEY_FILE_ENV);
    if (file != null && !file.isBlank()) {
      return Optional.of(read(Path.of(file)));
    }
    return Optional.empty();
  }

  /** The id of the key new payloads are encrypted with. */
  public String currentId() {
    return currentId;
  }

  SecretKey current() {
    return keys.get(currentId);
  }

  Optional<SecretKey> key(String id) {
    return Optional.ofNullable(keys.get(id));
  }

  /** All key ids, the current one first. */
  public java.util.Set<String> ids() {
    return keys.keySet();
  }
}
