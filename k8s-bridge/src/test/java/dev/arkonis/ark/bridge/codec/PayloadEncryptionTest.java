package dev.arkonis.ark.bridge.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PayloadEncryptionTest {
  private static final String OLD = "2026-06=" + key();
  private static final String NEW = "2026-12=" + key();
  private static final Map<String, Object> INPUT = Map.of("topic", "the launch codes 4411");

  @Test
  void aPayloadRoundTripsAndIsCiphertextAtRest() {
    DataConverter converter = PayloadEncryption.dataConverter(CodecKeys.parse(NEW, "test"));

    Payload stored = converter.toPayload(INPUT).orElseThrow();

    assertThat(text(stored)).doesNotContain("launch codes").doesNotContain("topic");
    assertThat(stored.getMetadataOrThrow("encoding").toStringUtf8()).isEqualTo("binary/encrypted");
    assertThat(PayloadEncryption.keyId(stored)).isEqualTo("2026-12");
    assertThat(converter.fromPayload(stored, Map.class, Map.class)).isEqualTo(INPUT);
    assertThat(converter.toPayload(INPUT).orElseThrow().getData())
        .as("a fresh nonce per payload")
        .isNotEqualTo(stored.getData());
  }

  @Test
  void afterARotationOldPayloadsDecryptAndNewOnesUseTheNewKey() {
    PayloadEncryption before = new PayloadEncryption(CodecKeys.parse(OLD, "test"));
    PayloadEncryption after = new PayloadEncryption(CodecKeys.parse(NEW + "\n" + OLD, "test"));
    Payload plain = DefaultDataConverter.STANDARD_INSTANCE.toPayload(INPUT).orElseThrow();

    Payload written = before.encode(List.of(plain)).get(0);

    assertThat(after.decode(List.of(written))).containsExactly(plain);
    Payload rewritten = after.encode(List.of(plain)).get(0);
    assertThat(PayloadEncryption.keyId(rewritten)).isEqualTo("2026-12");
    assertThatThrownBy(() -> before.decode(List.of(rewritten)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("codec key \"2026-12\", which is not among the configured keys")
        .hasMessageContaining("[2026-06]");
  }

  @Test
  void aWrongKeyUnderTheSameIdIsAClearError() {
    Payload written =
        new PayloadEncryption(CodecKeys.parse(NEW, "test"))
            .encode(List.of(DefaultDataConverter.STANDARD_INSTANCE.toPayload(INPUT).orElseThrow()))
            .get(0);
    PayloadEncryption other = new PayloadEncryption(CodecKeys.parse("2026-12=" + key(), "test"));

    assertThatThrownBy(() -> other.decode(List.of(written)))
        .isInstanceOf(PayloadCodecException.class)
        .hasMessageContaining("does not decrypt with the configured key of that id");
  }

  @Test
  void payloadsWrittenBeforeTheCodecPassThrough() {
    Payload plain = DefaultDataConverter.STANDARD_INSTANCE.toPayload(INPUT).orElseThrow();

    assertThat(new PayloadEncryption(CodecKeys.parse(NEW, "t")).decode(List.of(plain)))
        .containsExactly(plain);
  }

  @Test
  void aBadKeyRingNamesTheLineAndWhatToDo() {
    assertThatThrownBy(() -> CodecKeys.parse("# keys\nfirst=" + key() + "\nshort=AAAA\n", "keys"))
        .hasMessage(
            "keys line 3: key short is 3 bytes, AES-256 needs 32; generate one with 'openssl rand"
                + " -base64 32'");
    assertThatThrownBy(() -> CodecKeys.parse("just-a-key", "ARK_CODEC_KEYS"))
        .hasMessageStartingWith("ARK_CODEC_KEYS line 1: expected <key-id>=<base64 key>");
    assertThatThrownBy(() -> CodecKeys.parse("# nothing\n", "f"))
        .hasMessageStartingWith("f: no key");
    assertThatThrownBy(() -> CodecKeys.parse("a=" + key() + "\na=" + key(), "f"))
        .hasMessage("f line 2: key id a appears twice");
    assertThat(CodecKeys.parse(NEW + "  # current\n\n" + OLD, "f").ids())
        .containsExactly("2026-12", "2026-06");
  }

  static String key() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static String text(Payload payload) {
    return new String(payload.toByteArray(), StandardCharsets.ISO_8859_1);
  }
}
