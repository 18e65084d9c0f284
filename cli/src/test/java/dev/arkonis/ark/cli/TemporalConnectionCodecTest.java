package dev.arkonis.ark.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.arkonis.ark.bridge.codec.PayloadEncryption;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every Temporal connection of the CLI encrypts its payloads when codec keys are configured. */
class TemporalConnectionCodecTest {
  @Test
  void codecKeysInTheEnvironmentEncryptEveryPayload() {
    DataConverter converter =
        TemporalConnection.dataConverter(Map.of("ARK_CODEC_KEYS", "k2=" + key() + "\nk1=" + key()));

    Payload payload = converter.toPayload("hello").orElseThrow();

    assertThat(PayloadEncryption.keyId(payload)).isEqualTo("k2");
    assertThat(converter.fromPayload(payload, String.class, String.class)).isEqualTo("hello");
  }

  @Test
  void withoutKeysPayloadsArePlain() {
    Payload payload = TemporalConnection.dataConverter(Map.of()).toPayload("hello").orElseThrow();

    assertThat(PayloadEncryption.keyId(payload)).isNull();
    assertThat(payload.getData().toStringUtf8()).isEqualTo("\"hello\"");
  }

  @Test
  void badKeysAreAUserErrorNamingTheVariableAndLine() {
    assertThatThrownBy(() -> TemporalConnection.dataConverter(Map.of("ARK_CODEC_KEYS", "k=abc")))
        .isInstanceOf(UserError.class)
        .hasMessageStartingWith("payload codec: ARK_CODEC_KEYS line 1: key k is 2 bytes");
    assertThatThrownBy(
            () -> TemporalConnection.dataConverter(Map.of("ARK_CODEC_KEY_FILE", "/nonexistent/k")))
        .isInstanceOf(UserError.class)
        .hasMessageContaining("cannot read the payload codec keys from /nonexistent/k");
  }

  private static String key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }
}
