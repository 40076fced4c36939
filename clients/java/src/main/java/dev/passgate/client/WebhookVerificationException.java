package dev.passgate.client;

/**
 * A webhook delivery that {@link WebhookVerifier} refused, or a secret it
 * cannot use: {@link #reason()} says why, the message says more.
 */
public final class WebhookVerificationException extends Exception {
  private static final long serialVersionUID = 1L;

  /** Why, the same names (in lower case) in every passgate client. */
  public enum Reason {
    /** The secret is not {@code whsec_} followed by the key in standard base64. */
    MALFORMED_SECRET,
    /** {@code webhook-id}, {@code webhook-timestamp} or {@code webhook-signature} is absent or empty. */
    MISSING_HEADER,
    /** {@code webhook-timestamp} is not unix seconds (1 to 15 digits). */
    MALFORMED_TIMESTAMP,
    /** The timestamp is older than the tolerance: a late delivery, or a replay. */
    STALE_TIMESTAMP,
    /** The timestamp is further ahead of this clock than the tolerance. */
    FUTURE_TIMESTAMP,
    /** No {@code v1} entry of {@code webhook-signature} is the signature of this delivery. */
    NO_MATCHING_SIGNATURE,
  }

  private final Reason reason;

  WebhookVerificationException(Reason reason, String message) {
    super("webhook: " + message);
    this.reason = reason;
  }

  /** Why the delivery was refused. */
  public Reason reason() {
    return reason;
  }
}
