package dev.arkonis.ark.bridge.dashboard;

import dev.arkonis.ark.bridge.http.Exchange;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * CSRF defence of the dashboard's actions (double submit, signed): the page carries a token in a
 * {@code <meta>} tag and the same token in an {@code HttpOnly}, {@code SameSite=Strict} cookie; an
 * action must send it back in the {@code X-Ark-Csrf} header, equal to the cookie and signed by this
 * process (HMAC-SHA256 with a key made at start), and must come from the dashboard's own origin
 * when the browser says where it comes from ({@code Origin}, else {@code Sec-Fetch-Site}). A page
 * of another site can neither read the token nor send the header without a CORS preflight, which
 * the dashboard never answers.
 */
final class CsrfTokens {
  static final String COOKIE = "ark-dashboard-csrf";
  static final String HEADER = "X-Ark-Csrf";

  private final SecureRandom random = new SecureRandom();
  private final byte[] key = new byte[32];

  CsrfTokens() {
    random.nextBytes(key);
  }

  /** A fresh token: {@code nonce.signature}. */
  String issue() {
    byte[] nonce = new byte[18];
    random.nextBytes(nonce);
    String n = Base64.getUrlEncoder().withoutPadding().encodeToString(nonce);
    return n + "." + sign(n);
  }

  /** Null when the request passes, else why not (for a 403 answer). */
  String check(Exchange e) {
    String header = e.header(HEADER);
    String cookie = cookie(e.header("Cookie"));
    if (header == null || cookie == null) {
      return "missing CSRF token: actions are sent by the dashboard page itself; reload it";
    }
    if (!MessageDigest.isEqual(
            header.getBytes(StandardCharsets.US_ASCII), cookie.getBytes(StandardCharsets.US_ASCII))
        || !valid(header)) {
      return "invalid CSRF token: reload the dashboard page";
    }
    String origin = e.header("Origin");
    String host = e.header("Host");
    if (origin != null && !"null".equals(origin)) {
      String bare = origin.replaceFirst("^https?://", "");
      if (host == null || !bare.equalsIgnoreCase(host)) {
        return "cross-origin request refused: open the dashboard at its own address";
      }
    } else if (origin != null) {
      return "cross-origin request refused: open the dashboard at its own address";
    }
    String site = e.header("Sec-Fetch-Site");
    if (site != null && !site.equals("same-origin") && !site.equals("none")) {
      return "cross-site request refused: open the dashboard at its own address";
    }
    return null;
  }

  boolean valid(String token) {
    int dot = token.indexOf('.');
    if (dot <= 0) {
      return false;
    }
    String expected = sign(token.substring(0, dot));
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.US_ASCII),
        token.substring(dot + 1).getBytes(StandardCharsets.US_ASCII));
  }

  private String sign(String nonce) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return Base64.getUrlEncoder()
          .withoutPadding()
          .encodeToString(mac.doFinal(nonce.getBytes(StandardCharsets.US_ASCII)));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  }

  private static String cookie(String header) {
    if (header == null) {
      return null;
    }
    for (String part : header.split(";")) {
      String p = part.strip();
      if (p.startsWith(COOKIE + "=")) {
        return p.substring(COOKIE.length() + 1);
      }
    }
    return null;
  }
}
