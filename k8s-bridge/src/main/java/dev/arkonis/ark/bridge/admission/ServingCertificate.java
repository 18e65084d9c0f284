package dev.arkonis.ark.bridge.admission;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The admission webhook's TLS material, PEM encoded: the CA the API server trusts ({@code
 * caBundle}), the serving certificate it signed and that certificate's private key. Generated here
 * (a self-signed CA, ECDSA P-256) or read from files or a Secret (cert-manager, another replica).
 */
public record ServingCertificate(String caPem, String certPem, String keyPem) {
  /** Validity of a generated CA and serving certificate. */
  public static final Duration VALIDITY = Duration.ofDays(365);

  /** A certificate expiring within this is renewed. */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  /**
   * A new CA and a serving certificate for {@code hosts} (DNS names and IP addresses), valid from a
   * minute before {@code now} for {@link #VALIDITY}.
   */
  public static ServingCertificate generate(List<String> hosts, Instant now) {
    if (hosts.isEmpty()) {
      throw new IllegalArgumentException("a serving certificate needs at least one host name");
    }
    try {
      KeyPair caKeys = keyPair();
      KeyPair keys = keyPair();
      Date from = Date.from(now.minus(Duration.ofMinutes(1)));
      Date until = Date.from(now.plus(VALIDITY));
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();

      X500Name caName = new X500Name("CN=ark-admission-ca");
      X509v3CertificateBuilder ca =
          new JcaX509v3CertificateBuilder(caName, serial(), from, until, caName, caKeys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(0))
              .addExtension(
                  Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
              .addExtension(
                  Extension.subjectKeyIdentifier,
                  false,
                  ext.createSubjectKeyIdentifier(caKeys.getPublic()));
      X509Certificate caCert = sign(ca, caKeys.getPrivate());

      List<GeneralName> names = new ArrayList<>();
      for (String host : hosts) {
        names.add(
            isIpAddress(host)
                ? new GeneralName(GeneralName.iPAddress, host)
                : new GeneralName(GeneralName.dNSName, host));
      }
      X509v3CertificateBuilder serving =
          new JcaX509v3CertificateBuilder(
                  caName,
                  serial(),
                  from,
                  until,
                  new X500Name("CN=" + hosts.get(0)),
                  keys.getPublic())
              .addExtension(Extension.basicConstraints, true, new BasicConstraints(false))
              .addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature))
              .addExtension(
                  Extension.extendedKeyUsage,
                  false,
                  new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth))
              .addExtension(
                  Extension.subjectAlternativeName,
                  false,
                  new GeneralNames(names.toArray(GeneralName[]::new)))
              .addExtension(
                  Extension.authorityKeyIdentifier,
                  false,
                  ext.createAuthorityKeyIdentifier(caCert));
      X509Certificate cert = sign(serving, caKeys.getPrivate());
      return new ServingCertificate(pem(caCert), pem(cert), pem(keys.getPrivate()));
    } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot generate the admission certificate: " + e, e);
    }
  }

  /** The serving certificate (first of the {@code certPem} chain). */
  public X509Certificate certificate() {
    return certificates(certPem).get(0);
  }

  /** The serving certificate chain. */
  public List<X509Certificate> chain() {
    return certificates(certPem);
  }

  /** The serving certificate's private key (PKCS#8, PKCS#1 RSA or SEC1 EC PEM). */
  public PrivateKey privateKey() {
    try (PEMParser parser = new PEMParser(new StringReader(keyPem))) {
      Object parsed = parser.readObject();
      JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
      if (parsed instanceof PEMKeyPair pair) {
        return converter.getKeyPair(pair).getPrivate();
      }
      if (parsed instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new IllegalArgumentException("no private key in the PEM text");
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read the private key: " + e.getMessage(), e);
    }
  }

  /**
   * Whether this material can serve {@code hosts} until {@code until}: it parses, the key belongs
   * to the certificate, the certificate is valid then and names every host.
   */
  public boolean serves(List<String> hosts, Instant until) {
    try {
      X509Certificate cert = certificate();
      privateKey();
      certificates(caPem);
      if (cert.getNotAfter().toInstant().isBefore(until)) {
        return false;
      }
      return names(cert).containsAll(hosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList());
    } catch (RuntimeException e) {
      return false;
    }
  }

  /** The certificate's DNS and IP subject alternative names, lower case. */
  static List<String> names(X509Certificate cert) {
    List<String> names = new ArrayList<>();
    try {
      Collection<List<?>> alternatives = cert.getSubjectAlternativeNames();
      if (alternatives != null) {
        for (List<?> alternative : alternatives) {
          int type = (Integer) alternative.get(0);
          if (type == GeneralName.dNSName || type == GeneralName.iPAddress) {
            names.add(String.valueOf(alternative.get(1)).toLowerCase(Locale.ROOT));
          }
        }
      }
    } catch (CertificateParsingException e) {
      return List.of();
    }
    return names;
  }

  static List<X509Certificate> certificates(String pem) {
    try {
      List<X509Certificate> certs = new ArrayList<>();
      CertificateFactory factory = CertificateFactory.getInstance("X.509");
      for (var c : factory.generateCertificates(new java.io.ByteArrayInputStream(bytes(pem)))) {
        certs.add((X509Certificate) c);
      }
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("no certificate in the PEM text");
      }
      return certs;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read the certificate: " + e.getMessage(), e);
    }
  }

  private static byte[] bytes(String pem) {
    return pem.getBytes(StandardCharsets.US_ASCII);
  }

  private static KeyPair keyPair() throws GeneralSecurityException {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
    return generator.generateKeyPair();
  }

  private static BigInteger serial() {
    return new BigInteger(127, new SecureRandom()).add(BigInteger.ONE);
  }

  private static X509Certificate sign(X509v3CertificateBuilder builder, PrivateKey key)
      throws OperatorCreationException, GeneralSecurityException {
    return new JcaX509CertificateConverter()
        .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key)));
  }

  /** PEM text of a certificate or (PKCS#8) private key. */
  static String pem(Object object) {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter writer = new JcaPEMWriter(out)) {
      writer.writeObject(
          object instanceof PrivateKey key ? new JcaPKCS8Generator(key, null).generate() : object);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  /**
   * The material cert-manager (or anyone) mounts: {@code tls.crt}, {@code tls.key} and, when the
   * issuer gives one, {@code ca.crt} in {@code dir}.
   */
  public static ServingCertificate read(java.nio.file.Path dir) {
    try {
      java.nio.file.Path ca = dir.resolve("ca.crt");
      return new ServingCertificate(
          java.nio.file.Files.exists(ca)
              ? java.nio.file.Files.readString(ca, StandardCharsets.US_ASCII)
              : "",
          java.nio.file.Files.readString(dir.resolve("tls.crt"), StandardCharsets.US_ASCII),
          java.nio.file.Files.readString(dir.resolve("tls.key"), StandardCharsets.US_ASCII));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot read the admission certificate in " + dir + ": " + e.getMessage(), e);
    }
  }

  static boolean isIpAddress(String host) {
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]+") || !(host.contains(".") || host.contains(":"))) {
      return false;
    }
    try {
      return InetAddress.getByName(host) != null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
