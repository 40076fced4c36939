package dev.passgate.client;

import dev.passgate.client.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the security events passgate delivers to a webhook endpoint,
 * signed per the Standard Webhooks scheme, so that a receiver knows a body
 * came from passgate, unchanged, recently: the request carries {@code
 * webhook-id}, {@code webhook-timestamp} (unix seconds) and {@code
 * webhook-signature}, space-separated {@code v1,<base64 of
 * HMAC-SHA256(key, "{id}.{timestamp}.{body}")>} entries. Immutable and safe
 * to share between threads.
 *
 * <pre>{@code
 * WebhookVerifier verifier = new WebhookVerifier(System.getenv("PASSGATE_WEBHOOK_SECRET"));
 * verifier.verify(exchange.getRequestHeaders(), exchange.getRequestBody().readAllBytes());
 * }</pre>
 */
public final class WebhookVerifier {
  /** The headers a delivery carries. */
  public static final String ID_HEADER = "webhook-id";
  public static final String TIMESTAMP_HEADER = "webhook-timestamp";
  public static final String SIGNATURE_HEADER = "webhook-signature";

  /** How far from now a delivery's timestamp may be, either way, unless {@link #withTolerance} says otherwise. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofMinutes(5);

  private static final String SECRET_PREFIX = "whsec_";
  private static final Pattern UNIX_SECONDS = Pattern.compile("[0-9]{1,15}");

  private final SecretKeySpec key;
  private final Duration tolerance;
  private final Clock clock;

  /**
   * A verifier for the endpoint whose secret passgate shows as {@code whsec_}
   * and the key in standard base64 with its padding, with the default
   * tolerance and the system clock.
   *
   * @throws WebhookVerificationException ({@link Reason#MALFORMED_SECRET}) for a secret in any other form
   */
  public WebhookVerifier(String secret) throws WebhookVerificationException {
    this(decodeSecret(Objects.requireNonNull(secret, "secret")), DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  private WebhookVerifier(SecretKeySpec key, Duration tolerance, Clock clock) {
    this.key = key;
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /** The same verifier with another tolerance, either way from now. */
  public WebhookVerifier withTolerance(Duration tolerance) {
    return new WebhookVerifier(key, Objects.requireNonNull(tolerance, "tolerance"), clock);
  }

  /** The same verifier reading another clock (tests pin one). */
  public WebhookVerifier withClock(Clock clock) {
    return new WebhookVerifier(key, tolerance, Objects.requireNonNull(clock, "clock"));
  }

  /**
   * Verifies a delivery from its request's headers, such as {@code
   * com.sun.net.httpserver.Headers}: names are matched without regard to
   * case, and of a repeated header the first value counts.
   *
   * @see #verify(String, String, String, byte[])
   */
  public void verify(Map<String, ? extends Collection<String>> headers, byte[] body)
      throws WebhookVerificationException {
    verify(header(headers, ID_HEADER), header(headers, TIMESTAMP_HEADER), header(headers, SIGNATURE_HEADER), body);
  }

  /**
   * Returns when the timestamp is within the tolerance of now and any {@code
   * v1} entry of {@code signature} is the signature of {@code id}, {@code
   * timestamp} and {@code body}; entries of other versions are ignored. The
   * arguments are the three headers' values (null when absent) and the
   * request's raw body, as received, before any parsing.
   *
   * @throws WebhookVerificationException otherwise, for the first of: {@link
   *     Reason#MISSING_HEADER}, {@link Reason#MALFORMED_TIMESTAMP}, {@link
   *     Reason#STALE_TIMESTAMP}, {@link Reason#FUTURE_TIMESTAMP}, {@link
   *     Reason#NO_MATCHING_SIGNATURE}
   */
  public void verify(String id, String timestamp, String signature, byte[] body)
      throws WebhookVerificationException {
    present(ID_HEADER, id);
    present(TIMESTAMP_HEADER, timestamp);
    present(SIGNATURE_HEADER, signature);
    if (!UNIX_SECONDS.matcher(timestamp).matches()) {
      throw new WebhookVerificationException(Reason.MALFORMED_TIMESTAMP, TIMESTAMP_HEADER + " is not unix seconds");
    }
    Duration age = Duration.between(Instant.ofEpochSecond(Long.parseLong(timestamp)), clock.instant());
    if (age.compareTo(tolerance) > 0) {
      throw new WebhookVerificationException(Reason.STALE_TIMESTAMP,
          "timestamp too old: sent " + age.toSeconds() + " s ago, more than " + tolerance.toSeconds() + " s");
    }
    if (age.negated().compareTo(tolerance) > 0) {
      throw new WebhookVerificationException(Reason.FUTURE_TIMESTAMP, "timestamp in the future: "
          + age.negated().toSeconds() + " s ahead of this clock, more than " + tolerance.toSeconds() + " s");
    }
    byte[] expected = sign(id, timestamp, Objects.requireNonNull(body, "body"));
    for (String entry : signature.split(" ")) {
      int comma = entry.indexOf(',');
      // MessageDigest.isEqual takes the same time wherever the bytes differ.
      if (comma >= 0 && entry.substring(0, comma).equals("v1")
          && MessageDigest.isEqual(entry.substring(comma + 1).getBytes(StandardCharsets.US_ASCII), expected)) {
        return;
      }
    }
    throw new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE, "no v1 signature matches");
  }

  /** The base64 of HMAC-SHA256 over {@code {id}.{timestamp}.{body}}, as ASCII bytes. */
  private byte[] sign(String id, String timestamp, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encode(mac.doFinal(body));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
    }
  }

  private static SecretKeySpec decodeSecret(String secret) throws WebhookVerificationException {
    if (!secret.startsWith(SECRET_PREFIX)) {
      throw new WebhookVerificationException(Reason.MALFORMED_SECRET,
          "the secret does not start with \"" + SECRET_PREFIX + "\"");
    }
    String encoded = secret.substring(SECRET_PREFIX.length());
    byte[] key;
    try {
      key = Base64.getDecoder().decode(encoded);
    } catch (IllegalArgumentException e) {
      key = new byte[0];
    }
    // The decoder accepts a missing padding; encoding back must give the same text.
    if (key.length == 0 || !Base64.getEncoder().encodeToString(key).equals(encoded)) {
      throw new WebhookVerificationException(Reason.MALFORMED_SECRET,
          "the secret is not \"" + SECRET_PREFIX + "\" followed by the key in standard base64");
    }
    return new SecretKeySpec(key, "HmacSHA256");
  }

  private static String header(Map<String, ? extends Collection<String>> headers, String name) {
    for (Map.Entry<String, ? extends Collection<String>> entry : headers.entrySet()) {
      if (entry.getKey() != null && entry.getKey().equalsIgnoreCase(name)) {
        return entry.getValue() == null || entry.getValue().isEmpty() ? null : entry.getValue().iterator().next();
      }
    }
    return null;
  }

  private static void present(String name, String value) throws WebhookVerificationException {
    if (value == null || value.isEmpty()) {
      throw new WebhookVerificationException(Reason.MISSING_HEADER, "missing header: " + name);
    }
  }
}
