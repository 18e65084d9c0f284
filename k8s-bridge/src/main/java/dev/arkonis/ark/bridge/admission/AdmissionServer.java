package dev.arkonis.ark.bridge.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.arkonis.ark.bridge.http.EmbeddedServer;
import dev.arkonis.ark.bridge.http.Exchange;
import dev.arkonis.ark.bridge.http.HttpLimits;
import dev.arkonis.ark.bridge.http.Reply;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The validating admission webhook over HTTPS: {@code POST /validate} with an {@code
 * admission.k8s.io/v1} AdmissionReview answers with {@link AdmissionReviews} (the {@code ark
 * validate} rules). Bodies over {@link #MAX_BODY_BYTES} get 413, anything that is not an
 * AdmissionReview 400, other paths 404, other methods 405 — each with a short JSON error, never a
 * stack trace. The transport is an {@link EmbeddedServer} with {@link HttpLimits#DEFAULT} (idle and
 * request-head timeouts, bounded threads).
 *
 * <p>The TLS material comes from a supplier asked again every {@code refresh} (a renewed Secret,
 * files rotated by cert-manager); new connections use the new certificate, without a restart.
 */
public final class AdmissionServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionServer.class);

  /** Path of the validating webhook. */
  public static final String PATH = "/validate";

  /** Largest accepted AdmissionReview: an object and its old version, each at most ~1.5 MiB. */
  public static final int MAX_BODY_BYTES = 4 * 1024 * 1024;

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final AdmissionReviews reviews;
  private final EmbeddedServer server;
  private final ScheduledExecutorService refresher;
  private final AtomicReference<Material> material = new AtomicReference<>();

  /**
   * Listens on {@code host:port} (0 = any free port) and serves until closed.
   *
   * @param reviews the answers, e.g. {@code new AdmissionReviews(new SpecValidator(),
   *     AdmissionServer.teams(client))} *
   * @param certificates the TLS material; asked at start and every {@code refreshMinutes}
   * @param refreshMinutes how often to ask again, 0 = never
   */
  public AdmissionServer(
      AdmissionReviews reviews,
      String host,
      int port,
      Supplier<ServingCertificate> certificates,
      long refreshMinutes) {
    this.reviews = reviews;
    material.set(new Material(certificates.get()));
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(new javax.net.ssl.KeyManager[] {new ServingKeys()}, null, new SecureRandom());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
    this.server =
        EmbeddedServer.builder("admission", host, port, HttpLimits.DEFAULT.withThreads(8))
            .tls(tls)
            .fallback(this::handle)
            .start();
    this.refresher = Executors.newSingleThreadScheduledExecutor(threads("ark-admission-tls-"));
    if (refreshMinutes > 0) {
      refresher.scheduleWithFixedDelay(
          () -> refresh(certificates), refreshMinutes, refreshMinutes, TimeUnit.MINUTES);
    }
  }

  /**
   * Reads ArkTeams (and the ArkRuns that {@code spec.retryOf} names) for {@link AdmissionReviews}
   * with {@code client}; an object that cannot be read (not there, or not readable by the operator,
   * e.g. outside its watched namespace) counts as not there, so the check is left to the operator.
   */
  public static AdmissionReviews.TeamLookup teams(KubernetesClient client) {
    return new AdmissionReviews.TeamLookup() {
      @Override
      public JsonNode team(String namespace, String name) {
        return read(client, "ArkTeam", namespace, name);
      }

      @Override
      public JsonNode run(String namespace, String name) {
        return read(client, "ArkRun", namespace, name);
      }
    };
  }

  private static JsonNode read(
      KubernetesClient client, String kind, String namespace, String name) {
    try {
      GenericKubernetesResource object =
          client
              .genericKubernetesResources(AdmissionReviews.GROUP + "/v1alpha1", kind)
              .inNamespace(namespace)
              .withName(name)
              .get();
      return object == null
          ? null
          : client.getKubernetesSerialization().convertValue(object, JsonNode.class);
    } catch (KubernetesClientException e) {
      LOG.debug("admission: cannot read {} {}/{}: {}", kind, namespace, name, e.getMessage());
      return null;
    }
  }

  /** The port the server listens on. */
  public int port() {
    return server.port();
  }

  /** The CA that signed the serving certificate currently in use (the {@code caBundle}). */
  public String caPem() {
    return material.get().certificate.caPem();
  }

  /** Asks for the TLS material again; new connections use it when it changed. */
  void refresh(Supplier<ServingCertificate> certificates) {
    try {
      ServingCertificate next = certificates.get();
      if (!next.equals(material.get().certificate)) {
        material.set(new Material(next));
        LOG.info("admission webhook: serving certificate renewed");
      }
    } catch (RuntimeException e) {
      LOG.warn("admission webhook: cannot renew the serving certificate: {}", e.getMessage());
    }
  }

  private CompletionStage<Reply> handle(Exchange exchange) throws IOException {
    return CompletableFuture.completedFuture(answer(exchange));
  }

  private Reply answer(Exchange exchange) throws IOException {
    if (!PATH.equals(exchange.path())) {
      return error(404, "no such endpoint; the admission webhook is POST " + PATH);
    }
    if (!"POST".equals(exchange.method())) {
      return error(405, "use POST " + PATH + " with an AdmissionReview")
          .withHeader("Allow", "POST");
    }
    byte[] body;
    try {
      body = exchange.body(MAX_BODY_BYTES);
    } catch (Exchange.TooLarge e) {
      return error(413, "the AdmissionReview is larger than " + MAX_BODY_BYTES + " bytes")
          .withHeader("Connection", "close");
    }
    JsonNode review;
    try {
      review = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return error(400, "the request body is not JSON; expected an AdmissionReview");
    }
    if (review == null || review.isMissingNode()) {
      return error(400, "the request body is empty; expected an AdmissionReview");
    }
    try {
      return Reply.json(200, reviews.answer(review));
    } catch (AdmissionReviews.Malformed e) {
      return error(400, e.getMessage());
    }
  }

  private static Reply error(int status, String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    return Reply.json(status, body);
  }

  @Override
  public void close() {
    server.close();
    refresher.shutdownNow();
  }

  private static java.util.concurrent.ThreadFactory threads(String prefix) {
    AtomicInteger count = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + count.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /** Parsed once per certificate: the key and chain the handshakes use. */
  private static final class Material {
    final ServingCertificate certificate;
    final PrivateKey key;
    final X509Certificate[] chain;

    Material(ServingCertificate certificate) {
      this.certificate = Objects.requireNonNull(certificate);
      this.key = certificate.privateKey();
      this.chain = certificate.chain().toArray(X509Certificate[]::new);
    }
  }

  /** Serves the current {@link Material} under one alias. */
  private final class ServingKeys extends X509ExtendedKeyManager {
    private static final String ALIAS = "ark-admission";

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
      return new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
      return ALIAS;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
      String algorithm = material.get().key.getAlgorithm();
      return keyType.equals(algorithm) || keyType.startsWith(algorithm + "_") ? ALIAS : null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
      return material.get().chain.clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
      return material.get().key;
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
      return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
      return null;
    }
  }
}
