// Unit tests of the error-detail decoder: details are built on the wire as
// passgate's server sends them, then read back through parseError.
import assert from "node:assert/strict";
import { test } from "node:test";
import { BinaryWriter } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, formatError, hasViolation, parseError, retryDelayMs } from "@passgate/client";

function wireError(code: Code, trailers: Record<string, string>, details: [string, Uint8Array][]): ConnectError {
  const err = new ConnectError("refused", code, trailers);
  err.details = details.map(([type, value]) => ({ type, value }));
  return err;
}

const errorInfo = (reason: string, metadata: Record<string, string> = {}): Uint8Array => {
  const w = new BinaryWriter().tag(1, 2).string(reason).tag(2, 2).string("passgate.dev");
  for (const [k, v] of Object.entries(metadata)) {
    w.tag(3, 2).fork().tag(1, 2).string(k).tag(2, 2).string(v).join();
  }
  return w.finish();
};

test("BadRequest field violations are decoded one per broken rule", () => {
  const badRequest = new BinaryWriter();
  for (const reason of ["PASSWORD_TOO_SHORT", "PASSWORD_MISSING_CHARACTER_CLASS"]) {
    badRequest.tag(1, 2).fork()
      .tag(1, 2).string("new_password")
      .tag(2, 2).string(`broken: ${reason}`)
      .tag(3, 2).string(reason)
      .tag(9, 0).uint32(7) // a field from a newer google.rpc is skipped
      .join();
  }
  const e = parseError(wireError(Code.InvalidArgument, {}, [
    ["google.rpc.ErrorInfo", errorInfo("INVALID_REQUEST")],
    ["google.rpc.BadRequest", badRequest.finish()],
  ]));
  assert.ok(e);
  assert.equal(e.code, Code.InvalidArgument);
  assert.equal(e.message, "refused");
  assert.equal(e.reason, "INVALID_REQUEST");
  assert.equal(e.domain, "passgate.dev");
  assert.deepEqual(e.violations.map((v) => v.reason), ["PASSWORD_TOO_SHORT", "PASSWORD_MISSING_CHARACTER_CLASS"]);
  assert.ok(hasViolation(e, "new_password", "PASSWORD_TOO_SHORT"));
  assert.ok(!hasViolation(e, "confirm_password", "PASSWORD_TOO_SHORT"));
});

test("RetryInfo, QuotaFailure and the retry-after trailer are decoded", () => {
  const duration = new BinaryWriter().tag(1, 0).int64(2).tag(2, 0).int32(500_000_000).finish();
  const retryInfo = new BinaryWriter().tag(1, 2).bytes(duration).finish();
  const quota = new BinaryWriter().tag(1, 2).fork()
    .tag(1, 2).string("api_key").tag(2, 2).string("25 calls in 5s").join().finish();
  const e = parseError(wireError(Code.ResourceExhausted, { "retry-after": "3" }, [
    ["google.rpc.ErrorInfo", errorInfo("RATE_LIMITED")],
    ["google.rpc.RetryInfo", retryInfo],
    ["google.rpc.QuotaFailure", quota],
  ]));
  assert.ok(e);
  assert.equal(e.retryDelayMs, 2500);
  assert.equal(e.retryAfterMs, 3000);
  assert.equal(retryDelayMs(e), 2500);
  assert.deepEqual(e.quota, [{ subject: "api_key", description: "25 calls in 5s" }]);
});

test("ErrorInfo metadata is decoded; the trailer alone gives the delay", () => {
  const e = parseError(wireError(Code.Internal, { "retry-after": "4" }, [
    ["google.rpc.ErrorInfo", errorInfo("INTERNAL_ERROR", { error_id: "e-123" })],
  ]));
  assert.ok(e);
  assert.deepEqual(e.metadata, { error_id: "e-123" });
  assert.equal(retryDelayMs(e), 4000);
});

test("malformed details are skipped and other errors are not decoded", () => {
  const e = parseError(wireError(Code.Unauthenticated, {}, [
    ["google.rpc.BadRequest", new Uint8Array([0x0a, 0xff])],
    ["google.rpc.ErrorInfo", errorInfo("INVALID_CREDENTIALS")],
  ]));
  assert.ok(e);
  assert.equal(e.reason, "INVALID_CREDENTIALS");
  assert.equal(parseError(new Error("plain")), undefined);
  assert.equal(parseError("nope"), undefined);
});

test("formatError gives code, reason if any, message and error id if any", () => {
  const scope = parseError(wireError(Code.PermissionDenied, {}, [["google.rpc.ErrorInfo", errorInfo("API_KEY_SCOPE")]]));
  assert.equal(formatError(scope!), "PERMISSION_DENIED API_KEY_SCOPE: refused");
  const internal = parseError(
    wireError(Code.Internal, {}, [["google.rpc.ErrorInfo", errorInfo("INTERNAL_ERROR", { error_id: "e-1" })]]),
  );
  assert.equal(formatError(internal!), "INTERNAL INTERNAL_ERROR: refused (error id e-1)");
  const down = parseError(new ConnectError("connect ECONNREFUSED 127.0.0.1:50051", Code.Unavailable));
  assert.equal(formatError(down!), "UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:50051");
  assert.equal(formatError(parseError(new ConnectError("", Code.DeadlineExceeded))!), "DEADLINE_EXCEEDED");
});
