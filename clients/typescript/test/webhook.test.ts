// Unit tests of the webhook verifier: it decides every case of the shared
// file tests/clients/webhook_vectors.json as the other clients' verifiers do.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  WebhookVerificationError,
  WebhookVerifier,
  type WebhookErrorReason,
} from "@passgate/client";

interface VectorCase {
  name: string;
  why: string;
  secret: string;
  now: number;
  headers: Record<string, string>;
  body: string;
  error: WebhookErrorReason | null;
}

// $PASSGATE_WEBHOOK_VECTORS, or the file's place in the clone (from test/dist/).
const vectorsPath =
  process.env.PASSGATE_WEBHOOK_VECTORS ?? new URL("../../../../tests/clients/webhook_vectors.json", import.meta.url);
const vectors = JSON.parse(readFileSync(vectorsPath, "utf8")) as {
  tolerance_seconds: number;
  cases: VectorCase[];
};

/** Runs one case as a receiver would: the secret, the request's headers and raw body, the case's clock. */
function verify(c: VectorCase, headers: Record<string, string> | Headers = c.headers): void {
  new WebhookVerifier(c.secret, { now: () => c.now * 1000 }).verify(headers, Buffer.from(c.body, "utf8"));
}

function refusal(run: () => void): WebhookErrorReason | null {
  try {
    run();
    return null;
  } catch (err) {
    assert.ok(err instanceof WebhookVerificationError, `not a WebhookVerificationError: ${String(err)}`);
    return err.reason;
  }
}

test("the default tolerance is the one the vectors are made for", () => {
  assert.equal(DEFAULT_WEBHOOK_TOLERANCE_SECONDS, vectors.tolerance_seconds);
});

test("decides every vector as specified", async (t) => {
  assert.ok(vectors.cases.length > 0, "the vector file holds no cases");
  for (const c of vectors.cases) {
    await t.test(c.name, () => {
      assert.equal(refusal(() => verify(c)), c.error, c.why);
    });
  }
});

test("takes a fetch Headers object as well as Node's header record", () => {
  for (const c of vectors.cases) {
    assert.equal(refusal(() => verify(c, new Headers(c.headers))), c.error, c.name);
  }
});

test("a missing header's error names it", () => {
  const valid = vectors.cases.find((c) => c.name === "valid");
  assert.ok(valid);
  const { "webhook-timestamp": _, ...rest } = valid.headers;
  assert.throws(() => verify(valid, rest), /webhook-timestamp/);
});

test("a narrower tolerance refuses what the default lets in", () => {
  const bound = vectors.cases.find((c) => c.name === "valid_at_the_stale_bound");
  assert.ok(bound);
  const verifier = new WebhookVerifier(bound.secret, { now: () => bound.now * 1000, toleranceSeconds: 60 });
  assert.equal(refusal(() => verifier.verify(bound.headers, bound.body)), "stale_timestamp");
});
