package dev.arkonis.ark.bridge.admission;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
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
 * stack trace.
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
  private final HttpsServer server;
  private final ExecutorService executor;
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
    this.executor = Executors.newFixedThreadPool(8, threads("ark-admission-"));
    this.refresher = Executors.newSingleThreadScheduledExecutor(threads("ark-admission-tls-"));
    try {
      SSLContext tls = SSLContext.getInstance("TLS");
      tls.init(new javax.net.ssl.KeyManager[] {new ServingKeys()}, null, new SecureRandom());
      server = HttpsServer.create(new InetSocketAddress(host, port), 128);
      server.setHttpsConfigurator(new HttpsConfigurator(tls));
    } catch (IOException e) {
      close();
      throw new UncheckedIOException(
          "cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException e) {
      close();
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
    server.createContext("/", this::handle);
    server.setExecutor(executor);
    server.start();
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
    return server.getAddress().getPort();
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

  private void handle(HttpExchange exchange) {
    try (exchange) {
      String path = exchange.getRequestURI().getPath();
      if (!PATH.equals(path)) {
        send(exchange, 404, error("no such endpoint; the admission webhook is POST " + PATH));
        return;
      }
      if (!"POST".equals(exchange.getRequestMethod())) {
        exchange.getResponseHeaders().set("Allow", "POST");
        send(exchange, 405, error("use POST " + PATH + " with an AdmissionReview"));
        return;
      }
      byte[] body = readBody(exchange);
      if (body == null) {
        exchange.getResponseHeaders().set("Connection", "close");
        send(
            exchange,
            413,
            error("the AdmissionReview is larger than " + MAX_BODY_BYTES + " bytes"));
        return;
      }
      JsonNode review;
      try {
        review = JSON.readTree(body);
      } catch (JsonProcessingException e) {
        send(exchange, 400, error("the request body is not JSON; expected an AdmissionReview"));
        return;
      }
      try {
        send(exchange, 200, reviews.answer(review));
      } catch (AdmissionReviews.Malformed e) {
        send(exchange, 400, error(e.getMessage()));
      }
    } catch (IOException e) {
      // the client went away
    } catch (RuntimeException e) {
      LOG.error("admission webhook: {}", e.toString(), e);
      try {
        send(exchange, 500, error("internal error in the ark admission webhook; see its log"));
      } catch (IOException | RuntimeException ignored) {
        // headers were already sent or the client went away
      }
    }
  }

  /**
   * The body, or null when it is over {@link #MAX_BODY_BYTES}; then up to that much more is read
   * and discarded, so an ordinary client sees the 413 rather than a reset connection.
   */
  private static byte[] readBody(HttpExchange exchange) throws IOException {
    InputStream in = exchange.getRequestBody();
    String declared = exchange.getRequestHeaders().getFirst("Content-Length");
    if (declared != null) {
      try {
        if (Long.parseLong(declared.trim()) > MAX_BODY_BYTES) {
          discard(in);
          return null;
        }
      } catch (NumberFormatException e) {
        return null;
      }
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] chunk = new byte[16 * 1024];
    for (int n; (n = in.read(chunk)) > 0; ) {
      if (out.size() + n > MAX_BODY_BYTES) {
        discard(in);
        return null;
      }
      out.write(chunk, 0, n);
    }
    return out.toByteArray();
  }

  private static void discard(InputStream in) throws IOException {
    byte[] chunk = new byte[16 * 1024];
    long left = MAX_BODY_BYTES + 64L * 1024;
    for (int n; left > 0 && (n = in.read(chunk, 0, (int) Math.min(chunk.length, left))) > 0; ) {
      left -= n;
    }
  }

  private static ObjectNode error(String message) {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    return body;
  }

  private static void send(HttpExchange exchange, int status, ObjectNode body) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  @Override
  public void close() {
    if (server != null) {
      server.stop(0);
    }
    executor.shutdownNow();
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
