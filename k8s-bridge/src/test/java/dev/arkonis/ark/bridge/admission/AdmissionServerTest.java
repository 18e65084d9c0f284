package dev.arkonis.ark.bridge.admission;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.arkonis.ark.activities.spec.SpecValidator;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AdmissionServerTest {
  static final ObjectMapper JSON = new ObjectMapper();

  final AtomicReference<ServingCertificate> current =
      new AtomicReference<>(
          ServingCertificate.generate(List.of("localhost", "127.0.0.1"), Instant.now()));
  AdmissionServer server =
      new AdmissionServer(
          new AdmissionReviews(new SpecValidator(), AdmissionReviews.TeamLookup.NONE),
          "127.0.0.1",
          0,
          current::get,
          0);

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void answersAnAdmissionReviewOverTlsTrustingTheCaBundle() throws Exception {
    HttpResponse<String> reply =
        post(
            trusting(server.caPem()),
            AdmissionReviewsTest.review("CREATE", AdmissionReviewsTest.BAD_TEAM, null).toString());

    assertThat(reply.statusCode()).isEqualTo(200);
    assertThat(reply.headers().firstValue("Content-Type")).hasValue("application/json");
    JsonNode response = JSON.readTree(reply.body()).path("response");
    assertThat(response.path("allowed").asBoolean(true)).isFalse();
    assertThat(response.path("status").path("message").asText())
        .startsWith("ArkTeam/entry-team: spec.entry: unknown role \"coordinater\"");
  }

  @Test
  void aClientThatDoesNotTrustTheCaCannotConnect() throws Exception {
    String otherCa = ServingCertificate.generate(List.of("127.0.0.1"), Instant.now()).caPem();
    assertThatThrownBy(() -> post(trusting(otherCa), "{}"))
        .isInstanceOf(SSLHandshakeException.class);
  }

  @Test
  void badRequestsGetShortJsonErrorsAndNoStackTrace() throws Exception {
    HttpClient client = trusting(server.caPem());

    HttpResponse<String> notJson = post(client, "{\"apiVersion\": ");
    assertThat(notJson.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(notJson.body()).path("error").asText())
        .isEqualTo("the request body is not JSON; expected an AdmissionReview");

    HttpResponse<String> notReview = post(client, "{\"kind\": \"Pod\"}");
    assertThat(notReview.statusCode()).isEqualTo(400);
    assertThat(notReview.body()).contains("expected an admission.k8s.io/v1 AdmissionReview");

    HttpResponse<String> huge =
        post(client, "\"" + "x".repeat(AdmissionServer.MAX_BODY_BYTES) + "\"");
    assertThat(huge.statusCode()).isEqualTo(413);

    HttpResponse<String> get =
        client.send(
            HttpRequest.newBuilder(url(AdmissionServer.PATH)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(get.statusCode()).isEqualTo(405);
    assertThat(get.headers().firstValue("Allow")).hasValue("POST");

    HttpResponse<String> elsewhere =
        client.send(
            HttpRequest.newBuilder(url("/mutate"))
                .POST(HttpRequest.BodyPublishers.ofString("{}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertThat(elsewhere.statusCode()).isEqualTo(404);

    for (HttpResponse<String> reply : List.of(notJson, notReview, huge, get, elsewhere)) {
      assertThat(reply.body()).doesNotContain("Exception", "\tat ");
    }
  }

  @Test
  void aRenewedCertificateIsServedWithoutARestart() throws Exception {
    server.close();
    server =
        new AdmissionServer(
            new AdmissionReviews(new SpecValidator(), AdmissionReviews.TeamLookup.NONE),
            "127.0.0.1",
            0,
            current::get,
            1);
    String oldCa = server.caPem();
    ServingCertificate renewed = ServingCertificate.generate(List.of("127.0.0.1"), Instant.now());
    current.set(renewed);
    // the refresh runs every minute; the test calls it directly
    var refresh =
        AdmissionServer.class.getDeclaredMethod("refresh", java.util.function.Supplier.class);
    refresh.setAccessible(true);
    refresh.invoke(server, (java.util.function.Supplier<ServingCertificate>) current::get);

    assertThat(server.caPem()).isEqualTo(renewed.caPem()).isNotEqualTo(oldCa);
    assertThat(post(trusting(renewed.caPem()), "{}").statusCode()).isEqualTo(400);
    assertThatThrownBy(() -> post(trusting(oldCa), "{}")).isInstanceOf(SSLHandshakeException.class);
  }

  private URI url(String path) {
    return URI.create("https://127.0.0.1:" + server.port() + path);
  }

  private HttpResponse<String> post(HttpClient client, String body) throws Exception {
    return client.send(
        HttpRequest.newBuilder(url(AdmissionServer.PATH))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /** A client that trusts only {@code caPem}, with host name verification, as the API server. */
  static HttpClient trusting(String caPem) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (var cert :
        CertificateFactory.getInstance("X.509")
            .generateCertificates(
                new ByteArrayInputStream(caPem.getBytes(StandardCharsets.US_ASCII)))) {
      trust.setCertificateEntry("ca" + i++, cert);
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, factory.getTrustManagers(), null);
    return HttpClient.newBuilder().sslContext(tls).build();
  }
}
