// Verifies the security events passgate delivers to webhook endpoints, signed
// per the Standard Webhooks scheme, so that a receiver knows a body came from
// passgate, unchanged, recently.
import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers a delivery carries. */
export const WEBHOOK_ID_HEADER = "webhook-id";
export const WEBHOOK_TIMESTAMP_HEADER = "webhook-timestamp";
export const WEBHOOK_SIGNATURE_HEADER = "webhook-signature";

/** How far from now a delivery's timestamp may be, either way, unless told otherwise. */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 5 * 60;

const SECRET_PREFIX = "whsec_";

/** Why a delivery was refused, the same names in every passgate client. */
export type WebhookErrorReason =
  | "malformed_secret"
  | "missing_header"
  | "malformed_timestamp"
  | "stale_timestamp"
  | "future_timestamp"
  | "no_matching_signature";

/** A refused delivery (or an unusable secret): `reason` says why, the message says more. */
export class WebhookVerificationError extends Error {
  readonly reason: WebhookErrorReason;

  constructor(reason: WebhookErrorReason, message: string) {
    super(`webhook: ${message}`);
    this.name = "WebhookVerificationError";
    this.reason = reason;
  }
}

/**
 * A request's headers: a fetch `Headers`, or a record such as Node's
 * `IncomingMessage.headers`; names are matched without regard to case, and of
 * a header repeated in a record the first value counts.
 */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface WebhookVerifierOptions {
  /** How far `webhook-timestamp` may be from now, either way; default 5 minutes. */
  toleranceSeconds?: number;
  /** The clock, in milliseconds since the epoch like `Date.now` (its default); tests pin it. */
  now?: () => number;
}

/**
 * Checks deliveries against one endpoint's secret, as passgate shows it:
 * `whsec_` and the key in standard base64 with its padding.
 */
export class WebhookVerifier {
  readonly #key: Buffer;
  readonly #toleranceSeconds: number;
  readonly #now: () => number;

  /** Throws a `WebhookVerificationError` (`malformed_secret`) for a secret in any other form. */
  constructor(secret: string, options: WebhookVerifierOptions = {}) {
    if (!secret.startsWith(SECRET_PREFIX)) {
      throw new WebhookVerificationError("malformed_secret", `the secret does not start with "${SECRET_PREFIX}"`);
    }
    const encoded = secret.slice(SECRET_PREFIX.length);
    const key = Buffer.from(encoded, "base64");
    // Node's decoder skips what is not base64; encoding back must give the same text.
    if (key.length === 0 || key.toString("base64") !== encoded) {
      throw new WebhookVerificationError(
        "malformed_secret",
        `the secret is not "${SECRET_PREFIX}" followed by the key in standard base64`,
      );
    }
    this.#key = key;
    this.#toleranceSeconds = options.toleranceSeconds ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Returns when the delivery's timestamp is within the tolerance of now and
   * any `v1` entry of `webhook-signature` is the signature of `webhook-id`,
   * `webhook-timestamp` and `body`; entries of other versions are ignored.
   * `body` is the request's raw bytes, as received, before any parsing.
   * Otherwise throws a `WebhookVerificationError` whose reason is, checked in
   * this order: `missing_header`, `malformed_timestamp`, `stale_timestamp`,
   * `future_timestamp`, `no_matching_signature`.
   */
  verify(headers: WebhookHeaders, body: Uint8Array | string): void {
    const id = header(headers, WEBHOOK_ID_HEADER);
    const timestamp = header(headers, WEBHOOK_TIMESTAMP_HEADER);
    const signatures = header(headers, WEBHOOK_SIGNATURE_HEADER);
    if (!/^[0-9]{1,15}$/.test(timestamp)) {
      throw new WebhookVerificationError("malformed_timestamp", `${WEBHOOK_TIMESTAMP_HEADER} is not unix seconds`);
    }
    const age = this.#now() / 1000 - Number(timestamp);
    if (age > this.#toleranceSeconds) {
      throw new WebhookVerificationError(
        "stale_timestamp",
        `timestamp too old: sent ${Math.round(age)} s ago, more than ${this.#toleranceSeconds} s`,
      );
    }
    if (-age > this.#toleranceSeconds) {
      throw new WebhookVerificationError(
        "future_timestamp",
        `timestamp in the future: ${Math.round(-age)} s ahead of this clock, more than ${this.#toleranceSeconds} s`,
      );
    }
    const expected = Buffer.from(
      createHmac("sha256", this.#key).update(`${id}.${timestamp}.`).update(body).digest("base64"),
    );
    for (const entry of signatures.split(" ")) {
      const comma = entry.indexOf(",");
      if (comma < 0 || entry.slice(0, comma) !== "v1") {
        continue;
      }
      const signature = Buffer.from(entry.slice(comma + 1));
      // timingSafeEqual takes the same time wherever the bytes differ.
      if (signature.length === expected.length && timingSafeEqual(signature, expected)) {
        return;
      }
    }
    throw new WebhookVerificationError("no_matching_signature", "no v1 signature matches");
  }
}

/** The header's first value; a `missing_header` error when it is absent or empty. */
function header(headers: WebhookHeaders, name: string): string {
  let value: string | string[] | null | undefined;
  if (headers instanceof Headers) {
    value = headers.get(name);
  } else {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
    value = key === undefined ? undefined : headers[key];
  }
  const first = Array.isArray(value) ? value[0] : value;
  if (!first) {
    throw new WebhookVerificationError("missing_header", `missing header: ${name}`);
  }
  return first;
}
