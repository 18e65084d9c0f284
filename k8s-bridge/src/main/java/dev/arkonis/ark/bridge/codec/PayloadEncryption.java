package dev.arkonis.ark.bridge.codec;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.CodecDataConverter;
import io.temporal.common.converter.DataConverter;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.payload.codec.PayloadCodec;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;

/**
 * The optional payload codec: every payload ark writes to Temporal (workflow and activity inputs
 * and results, signals, queries, memos, failure details) is AES-256-GCM encrypted with the current
 * key of {@link CodecKeys}; the key id goes into the payload's metadata, so after a rotation
 * payloads written with an older key still decrypt while new ones use the new key. Payloads without
 * the encrypted encoding (written before the codec was turned on) pass through undecrypted.
 *
 * <p>Encrypted payload: metadata {@code encoding: binary/encrypted}, {@code encryption-cipher:
 * AES/GCM/NoPadding}, {@code encryption-key-id: <id>}; data = 12-byte nonce, then the ciphertext of
 * the serialized original payload with its 16-byte tag (the key id is authenticated data).
 */
public final class PayloadEncryption implements PayloadCodec {
  static final String ENCODING = "encoding";
  static final String ENCRYPTED = "binary/encrypted";
  static final String CIPHER_KEY = "encryption-cipher";
  static final String CIPHER = "AES/GCM/NoPadding";
  static final String KEY_ID = "encryption-key-id";
  private static final int NONCE_BYTES = 12;
  private static final int TAG_BITS = 128;

  private final CodecKeys keys;
  private final SecureRandom random = new SecureRandom();

  public PayloadEncryption(CodecKeys keys) {
    this.keys = keys;
  }

  /**
   * The default data converter with this codec over it (failure messages and stack traces are
   * encrypted too); what {@code WorkflowClientOptions.setDataConverter} takes.
   */
  public static DataConverter dataConverter(CodecKeys keys) {
    return new CodecDataConverter(
        DefaultDataConverter.newDefaultInstance(), List.of(new PayloadEncryption(keys)), true);
  }

  /** {@link #dataConverter} for the key ring in the environment, or the default converter. */
  public static DataConverter dataConverterFromEnvironment(java.util.Map<String, String> env) {
    Optional<CodecKeys> keys = CodecKeys.fromEnvironment(env);
    return keys.isPresent() ? dataConverter(keys.get()) : DefaultDataConverter.STANDARD_INSTANCE;
  }

  /** The key id an encrypted payload names, or null for a payload this codec did not write. */
  public static String keyId(Payload payload) {
    return encrypted(payload) ? payload.getMetadataOrThrow(KEY_ID).toStringUtf8() : null;
  }

  @Override
  public List<Payload> encode(List<Payload> payloads) {
    List<Payload> out = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      out.add(encrypt(payload));
    }
    return out;
  }

  @Override
  public List<Payload> decode(List<Payload> payloads) {
    List<Payload> out = new ArrayList<>(payloads.size());
    for (Payload payload : payloads) {
      out.add(encrypted(payload) ? decrypt(payload) : payload);
    }
    return out;
  }

  private Payload encrypt(Payload payload) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    String id = keys.currentId();
    try {
      Cipher cipher = cipher(Cipher.ENCRYPT_MODE, keys.current(), nonce, id);
      byte[] sealed = cipher.doFinal(payload.toByteArray());
      ByteBuffer data = ByteBuffer.allocate(NONCE_BYTES + sealed.length);
      data.put(nonce).put(sealed);
      return Payload.newBuilder()
          .putMetadata(ENCODING, utf8(ENCRYPTED))
          .putMetadata(CIPHER_KEY, utf8(CIPHER))
          .putMetadata(KEY_ID, utf8(id))
          .setData(ByteString.copyFrom(data.array()))
          .build();
    } catch (GeneralSecurityException e) {
      throw new PayloadCodecException("payload encryption failed: " + e.getMessage(), e);
    }
  }

  private Payload decrypt(Payload payload) {
    String id = keyId(payload);
    SecretKey key =
        keys.key(id)
            .orElseThrow(
                () ->
                    new PayloadCodecException(
                        "payload encrypted with codec key \""
                            + id
                            + "\", which is not among the configured keys "
                            + keys.ids()
                            + "; add that key (after the current one) to the codec key ring"));
    byte[] data = payload.getData().toByteArray();
    if (data.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new PayloadCodecException(
          "payload encrypted with codec key \""
              + id
              + "\" is truncated ("
              + data.length
              + " bytes)");
    }
    try {
      Cipher cipher =
          cipher(Cipher.DECRYPT_MODE, key, java.util.Arrays.copyOf(data, NONCE_BYTES), id);
      byte[] plain = cipher.doFinal(data, NONCE_BYTES, data.length - NONCE_BYTES);
      return Payload.parseFrom(plain);
    } catch (AEADBadTagException e) {
      throw new PayloadCodecException(
          "payload encrypted with codec key \""
              + id
              + "\" does not decrypt with the configured key of that id: the key ring has another"
              + " key under the same id; restore the original key (ids must never be reused)");
    } catch (GeneralSecurityException | InvalidProtocolBufferException e) {
      throw new PayloadCodecException(
          "payload encrypted with codec key \"" + id + "\" cannot be decrypted: " + e.getMessage(),
          e);
    }
  }

  private static Cipher cipher(int mode, SecretKey key, byte[] nonce, String id)
      throws GeneralSecurityException {
    Cipher cipher = Cipher.getInstance(CIPHER);
    cipher.init(mode, key, new GCMParameterSpec(TAG_BITS, nonce));
    cipher.updateAAD(id.getBytes(StandardCharsets.UTF_8));
    return cipher;
  }

  private static boolean encrypted(Payload payload) {
    ByteString encoding = payload.getMetadataMap().get(ENCODING);
    return encoding != null
        && encoding.toStringUtf8().equals(ENCRYPTED)
        && payload.getMetadataMap().containsKey(KEY_ID);
  }

  private static ByteString utf8(String text) {
    return ByteString.copyFromUtf8(text);
  }
}
