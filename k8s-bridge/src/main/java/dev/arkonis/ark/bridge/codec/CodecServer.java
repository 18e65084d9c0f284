package dev.arkonis.ark.bridge.codec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.ByteString;
import dev.arkonis.ark.bridge.http.EmbeddedServer;
import dev.arkonis.ark.bridge.http.Exchange;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.http.Reply;
import io.temporal.api.common.v1.Payload;
import io.temporal.payload.codec.PayloadCodecException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The codec endpoint for the Temporal Web UI and CLI ({@code --codec-endpoint}), following
 * Temporal's codec server protocol: {@code POST /decode} and {@code POST /encode} with {@code
 * {"payloads": [{"metadata": {k: base64}, "data": base64}]}} in and out. Every request needs {@code
 * Authorization: Bearer <token>}; browsers' CORS preflights ({@code OPTIONS}) are answered for the
 * configured UI origins without it. Runs on its own port of an {@link EmbeddedServer}.
 */
public final class CodecServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(CodecServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long BODY_LIMIT = 8L * 1024 * 1024;
  private static final String ALLOWED_HEADERS = "Authorization, Content-Type, X-Namespace";

  private final PayloadEncryption codec;
  private final String token;
  private final Set<String> origins;
  private final EmbeddedServer server;

  /**
   * @param host address to listen on
   * @param port 0 = any free port
   * @param token the bearer token every request must carry (from a Secret)
   * @param origins browser origins allowed to call it (the Web UI's, e.g. {@code
   *     https://temporal.example.com}); empty for none
   */
  public CodecServer(CodecKeys keys, String host, int port, String token, Set<String> origins) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException(
          "the codec endpoint needs a token (" + TOKEN_ENV + "); it decrypts every payload");
    }
    this.codec = new PayloadEncryption(keys);
    this.token = token.strip();
    this.origins = Set.copyOf(origins);
    this.server =
        EmbeddedServer.builder("codec", host, port, HttpLimits.SMALL)
            .route("/decode", exchange -> CompletableFuture.completedStage(handle(exchange, false)))
            .route("/encode", exchange -> CompletableFuture.completedStage(handle(exchange, true)))
            .start();
    LOG.info(
        "codec endpoint on :{} (POST /decode, /encode; CORS origins {})", port(), this.origins);
  }

  /** Environment variable holding the endpoint's bearer token. */
  public static final String TOKEN_ENV = "ARK_CODEC_TOKEN";

  public int port() {
    return server.port();
  }

  @Override
  public void close() {
    server.close();
  }

  private Reply handle(Exchange exchange, boolean encode) throws Exception {
    String origin = exchange.header("Origin");
    if ("OPTIONS".equals(exchange.method())) {
      return cors(Reply.text(204, ""), origin);
    }
    if (!"POST".equals(exchange.method())) {
      return cors(Reply.error(405, "use POST").withHeader("Allow", "POST, OPTIONS"), origin);
    }
    String auth = exchange.header("Authorization");
    if (auth == null
        || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
        || !sameToken(auth.substring(7).strip(), token)) {
      return cors(
          Reply.error(401, "missing or wrong 'Authorization: Bearer <token>' header")
              .withHeader("WWW-Authenticate", "Bearer realm=\"ark-codec\""),
          origin);
    }
    byte[] body;
    try {
      body = exchange.body(BODY_LIMIT);
    } catch (Exchange.TooLarge e) {
      return cors(Reply.error(413, "request body over 8 MiB"), origin);
    }
    List<Payload> payloads;
    try {
      payloads = payloads(JSON.readTree(body));
    } catch (Exception e) {
      return cors(
          Reply.error(
              400, "expected {\"payloads\": [{\"metadata\": {...}, \"data\": \"<base64>\"}]}"),
          origin);
    }
    List<Payload> result;
    try {
      result = encode ? codec.encode(payloads) : codec.decode(payloads);
    } catch (PayloadCodecException e) {
      return cors(Reply.error(422, e.getMessage()), origin);
    }
    return cors(Reply.json(200, json(result)), origin);
  }

  private Reply cors(Reply reply, String origin) {
    if (origin == null || !origins.contains(origin)) {
      return reply;
    }
    return reply
        .withHeader("Access-Control-Allow-Origin", origin)
        .withHeader("Access-Control-Allow-Credentials", "true")
        .withHeader("Access-Control-Allow-Methods", "POST, OPTIONS")
        .withHeader("Access-Control-Allow-Headers", ALLOWED_HEADERS)
        .withHeader("Vary", "Origin");
  }

  static List<Payload> payloads(JsonNode request) {
    JsonNode list = request.get("payloads");
    if (list == null || !list.isArray()) {
      throw new IllegalArgumentException("no payloads");
    }
    List<Payload> out = new ArrayList<>();
    for (JsonNode item : list) {
      Payload.Builder payload = Payload.newBuilder();
      Iterator<Map.Entry<String, JsonNode>> metadata = item.path("metadata").fields();
      while (metadata.hasNext()) {
        Map.Entry<String, JsonNode> entry = metadata.next();
        payload.putMetadata(
            entry.getKey(),
            ByteString.copyFrom(Base64.getDecoder().decode(entry.getValue().asText())));
      }
      payload.setData(
          ByteString.copyFrom(Base64.getDecoder().decode(item.path("data").asText(""))));
      out.add(payload.build());
    }
    return out;
  }

  static ObjectNode json(List<Payload> payloads) {
    ObjectNode out = JSON.createObjectNode();
    ArrayNode list = out.putArray("payloads");
    for (Payload payload : payloads) {
      ObjectNode item = list.addObject();
      ObjectNode metadata = item.putObject("metadata");
      payload
          .getMetadataMap()
          .forEach((k, v) -> metadata.put(k, Base64.getEncoder().encodeToString(v.toByteArray())));
      item.put("data", Base64.getEncoder().encodeToString(payload.getData().toByteArray()));
    }
    return out;
  }

  private static boolean sameToken(String given, String expected) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return MessageDigest.isEqual(
          sha.digest(given.getBytes(StandardCharsets.UTF_8)),
          sha.digest(expected.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
