package dev.arkonis.ark.bridge.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.common.v1.Payload;
import io.temporal.common.converter.DefaultDataConverter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The codec endpoint as the Temporal Web UI calls it: CORS preflight, then POST with the token. */
class CodecServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TOKEN = "s3cret-codec-token";
  private static final String UI = "http://localhost:8233";

  private final CodecKeys keys = CodecKeys.parse("k1=" + PayloadEncryptionTest.key(), "test");
  private final HttpClient http = HttpClient.newHttpClient();
  private CodecServer server;

  @BeforeEach
  void start() {
    server = new CodecServer(keys, "127.0.0.1", 0, TOKEN, Set.of(UI));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void decodesForTheWebUi() throws Exception {
    Payload sealed = encrypted(Map.of("answer", "the plaintext 9271"));

    HttpResponse<String> response = post("/decode", body(List.of(sealed)), "Bearer " + TOKEN, UI);

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("Access-Control-Allow-Origin")).contains(UI);
    JsonNode payload = JSON.readTree(response.body()).path("payloads").path(0);
    assertThat(decode(payload.path("metadata").path("encoding").asText())).isEqualTo("json/plain");
    assertThat(decode(payload.path("data").asText()))
        .isEqualTo("{\"answer\":\"the plaintext 9271\"}");
  }

  @Test
  void encodeThenDecodeRoundTrips() throws Exception {
    Payload plain = DefaultDataConverter.STANDARD_INSTANCE.toPayload("hello 4471").orElseThrow();

    JsonNode encoded =
        JSON.readTree(post("/encode", body(List.of(plain)), "Bearer " + TOKEN, null).body());
    assertThat(encoded.toString()).doesNotContain(b64("\"hello 4471\""));
    JsonNode decoded =
        JSON.readTree(post("/decode", encoded.toString(), "Bearer " + TOKEN, null).body());

    assertThat(CodecServer.payloads(decoded)).containsExactly(plain);
  }

  @Test
  void refusesWithoutTheToken() throws Exception {
    String body = body(List.of(encrypted(Map.of("answer", "the plaintext 9271"))));

    for (String auth : new String[] {null, "Bearer wrong", TOKEN}) {
      HttpResponse<String> response = post("/decode", body, auth, UI);
      assertThat(response.statusCode()).as("Authorization: %s", auth).isEqualTo(401);
      assertThat(response.body()).doesNotContain("plaintext").contains("Bearer <token>");
    }
  }

  @Test
  void answersTheBrowsersPreflightForTheUiOriginOnly() throws Exception {
    HttpResponse<String> ui = preflight(UI);
    HttpResponse<String> other = preflight("https://evil.example");

    assertThat(ui.statusCode()).isEqualTo(204);
    assertThat(ui.headers().firstValue("Access-Control-Allow-Origin")).contains(UI);
    assertThat(ui.headers().firstValue("Access-Control-Allow-Headers").orElse(""))
        .contains("Authorization")
        .contains("X-Namespace");
    assertThat(ui.headers().firstValue("Access-Control-Allow-Credentials")).contains("true");
    assertThat(other.headers().firstValue("Access-Control-Allow-Origin")).isEmpty();
  }

  @Test
  void badRequestsGetClearErrors() throws Exception {
    assertThat(post("/decode", "{\"nope\": 1}", "Bearer " + TOKEN, null).statusCode())
        .isEqualTo(400);
    Payload foreign =
        new PayloadEncryption(CodecKeys.parse("k0=" + PayloadEncryptionTest.key(), "t"))
            .encode(List.of(DefaultDataConverter.STANDARD_INSTANCE.toPayload("x").orElseThrow()))
            .get(0);
    HttpResponse<String> unknown = post("/decode", body(List.of(foreign)), "Bearer " + TOKEN, null);
    assertThat(unknown.statusCode()).isEqualTo(422);
    assertThat(unknown.body()).contains("codec key \\\"k0\\\", which is not among the configured");
  }

  private Payload encrypted(Object value) {
    return new PayloadEncryption(keys)
        .encode(List.of(DefaultDataConverter.STANDARD_INSTANCE.toPayload(value).orElseThrow()))
        .get(0);
  }

  private static String body(List<Payload> payloads) {
    return CodecServer.json(payloads).toString();
  }

  private HttpResponse<String> post(String path, String body, String auth, String origin)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
            .header("Content-Type", "application/json")
            .header("X-Namespace", "default")
            .POST(HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      request.header("Authorization", auth);
    }
    if (origin != null) {
      request.header("Origin", origin);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> preflight(String origin) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/decode"))
            .method("OPTIONS", HttpRequest.BodyPublishers.noBody())
            .header("Origin", origin)
            .header("Access-Control-Request-Method", "POST")
            .header("Access-Control-Request-Headers", "authorization,content-type,x-namespace")
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String decode(String base64) {
    return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
  }

  private static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }
}
