// Decodes the google.rpc details passgate attaches to a rejected call, so
// callers act on reasons and fields rather than on message text.
//
// Connect already parses the `grpc-status-details-bin` trailer into typed
// Any payloads; the few google.rpc messages passgate sends are small enough
// to read field by field here, without shipping googleapis' generated code.
import { BinaryReader, WireType } from "@bufbuild/protobuf/wire";
import { Code, ConnectError } from "@connectrpc/connect";

/** The ErrorInfo domain of every error passgate returns. */
export const ERROR_DOMAIN = "passgate.dev";

/** One broken rule of one request field (google.rpc.BadRequest.FieldViolation). */
export interface FieldViolation {
  /** The request field's name, e.g. `new_password`. */
  field: string;
  /** What is wrong, for people. */
  description: string;
  /** The rule's ErrorReason name, e.g. `PASSWORD_TOO_SHORT`. */
  reason: string;
}

/** The limit a RESOURCE_EXHAUSTED call ran into (google.rpc.QuotaFailure.Violation). */
export interface QuotaViolation {
  subject: string;
  description: string;
}

/** A rejected call's status with passgate's details decoded. */
export interface PassgateError {
  /** The gRPC status code (Connect's Code uses the same numbers). */
  code: Code;
  /** The status message; it may change between releases, so never compare it. */
  message: string;
  /**
   * ErrorInfo's reason: an ErrorReason value name such as
   * `INVALID_CREDENTIALS`; empty when the error did not come from passgate.
   */
  reason: string;
  /** ErrorInfo's domain, `passgate.dev` for passgate's errors. */
  domain: string;
  /** ErrorInfo's metadata, e.g. `error_id` on INTERNAL errors. */
  metadata: Record<string, string>;
  /** BadRequest's field violations, one per broken rule. */
  violations: FieldViolation[];
  /** RetryInfo's delay in milliseconds, when the server sent one. */
  retryDelayMs: number | undefined;
  /** The `retry-after` trailer in milliseconds, when the server sent one. */
  retryAfterMs: number | undefined;
  /** QuotaFailure's violations on RESOURCE_EXHAUSTED. */
  quota: QuotaViolation[];
}

/**
 * Decodes a ConnectError's status and details; returns undefined for
 * anything that is not a ConnectError.
 */
export function parseError(err: unknown): PassgateError | undefined {
  if (!(err instanceof ConnectError)) {
    return undefined;
  }
  const parsed: PassgateError = {
    code: err.code,
    message: err.rawMessage,
    reason: "",
    domain: "",
    metadata: {},
    violations: [],
    retryDelayMs: undefined,
    retryAfterMs: retryAfterMs(err.metadata),
    quota: [],
  };
  for (const detail of err.details) {
    if (!("type" in detail)) {
      continue; // an outgoing detail: nothing on the wire to decode
    }
    try {
      decodeDetail(detail.type, detail.value, parsed);
    } catch {
      // a malformed detail is skipped, as Connect's own findDetails does
    }
  }
  return parsed;
}

/**
 * One line that says why a call failed, as the Python client's
 * `str(PassgateError)` does: the code's gRPC name, the reason if there is
 * one, then the message and the error id if any, e.g.
 * `PERMISSION_DENIED API_KEY_SCOPE: this API key may not call this method` or
 * `UNAVAILABLE: connect ECONNREFUSED 127.0.0.1:50051`.
 */
export function formatError(err: PassgateError): string {
  const name = Code[err.code]?.replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase() ?? `CODE_${err.code}`;
  const label = err.reason ? `${name} ${err.reason}` : name;
  const text = err.message ? `${label}: ${err.message}` : label;
  const errorId = err.metadata["error_id"];
  return errorId ? `${text} (error id ${errorId})` : text;
}

/** Tells whether `field` broke the rule named `reason`. */
export function hasViolation(err: PassgateError, field: string, reason: string): boolean {
  return err.violations.some((v) => v.field === field && v.reason === reason);
}

/** How long to wait before retrying a RESOURCE_EXHAUSTED call, if the server said. */
export function retryDelayMs(err: PassgateError): number | undefined {
  return err.retryDelayMs ?? err.retryAfterMs;
}

function retryAfterMs(headers: Headers): number | undefined {
  const value = headers.get("retry-after");
  if (value === null || !/^\s*\d+\s*$/.test(value)) {
    return undefined;
  }
  return Number(value) * 1000;
}

function decodeDetail(type: string, bytes: Uint8Array, into: PassgateError): void {
  switch (type) {
    case "google.rpc.ErrorInfo":
      // reason = 1, domain = 2, metadata = 3 (map<string, string>)
      readMessage(bytes, [STR, STR, STR], (no, r) => {
        if (no === 1) into.reason = r.string();
        else if (no === 2) into.domain = r.string();
        else if (no === 3) {
          const [key, value] = readMapEntry(r.bytes());
          into.metadata[key] = value;
        } else return false;
        return true;
      });
      break;
    case "google.rpc.BadRequest":
      // field_violations = 1: field = 1, description = 2, reason = 3
      readMessage(bytes, [STR], (no, r) => {
        if (no !== 1) return false;
        const v: FieldViolation = { field: "", description: "", reason: "" };
        readMessage(r.bytes(), [STR, STR, STR], (vno, vr) => {
          if (vno === 1) v.field = vr.string();
          else if (vno === 2) v.description = vr.string();
          else if (vno === 3) v.reason = vr.string();
          else return false;
          return true;
        });
        into.violations.push(v);
        return true;
      });
      break;
    case "google.rpc.RetryInfo":
      // retry_delay = 1 (google.protobuf.Duration: seconds = 1, nanos = 2)
      readMessage(bytes, [STR], (no, r) => {
        if (no !== 1) return false;
        let seconds = 0;
        let nanos = 0;
        readMessage(r.bytes(), [INT, INT], (dno, dr) => {
          if (dno === 1) seconds = Number(dr.int64());
          else if (dno === 2) nanos = dr.int32();
          else return false;
          return true;
        });
        into.retryDelayMs = seconds * 1000 + Math.round(nanos / 1e6);
        return true;
      });
      break;
    case "google.rpc.QuotaFailure":
      // violations = 1: subject = 1, description = 2
      readMessage(bytes, [STR], (no, r) => {
        if (no !== 1) return false;
        const v: QuotaViolation = { subject: "", description: "" };
        readMessage(r.bytes(), [STR, STR], (vno, vr) => {
          if (vno === 1) v.subject = vr.string();
          else if (vno === 2) v.description = vr.string();
          else return false;
          return true;
        });
        into.quota.push(v);
        return true;
      });
      break;
  }
}

const STR = WireType.LengthDelimited; // strings, bytes, messages, map entries
const INT = WireType.Varint;

/**
 * Calls `field` for each field numbered 1..wireTypes.length that has the
 * expected wire type; `field` returns false to skip one. Other fields (from
 * newer versions of the message) are skipped.
 */
function readMessage(
  bytes: Uint8Array,
  wireTypes: WireType[],
  field: (no: number, r: BinaryReader) => boolean,
): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [no, wireType] = r.tag();
    if (wireTypes[no - 1] !== wireType || !field(no, r)) {
      r.skip(wireType, no);
    }
  }
}

function readMapEntry(bytes: Uint8Array): [string, string] {
  let key = "";
  let value = "";
  readMessage(bytes, [STR, STR], (no, r) => {
    if (no === 1) key = r.string();
    else if (no === 2) value = r.string();
    else return false;
    return true;
  });
  return [key, value];
}
