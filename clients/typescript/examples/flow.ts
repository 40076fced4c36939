// flow walks a user through passgate's password life cycle: sign in, change
// the password, request a reset, submit it with the link from the e-mail, and
// sign in with the new password. On the way it makes calls that passgate
// rejects and shows their decoded details. Every step prints one JSON line;
// calls refused with RESOURCE_EXHAUSTED are retried after the delay the
// server asks for.
//
// Run it from clients/typescript, against the server `scripts/serve` started:
//
//   PASSGATE_API_KEY=pgk_... node examples/dist/flow.js --target 127.0.0.1:50051 \
//       --email ada@example.com --password 'Correct-Horse-9-battery' \
//       --new-password 'Another#Strong-Pass-42' --reset-password 'Third$Strong-Pass-77'
//
// With --ca-cert it connects over TLS, trusting that CA; with --client-cert
// and --client-key as well, over mutual TLS.
//
// After RequestReset it takes the reset link from the newest e-mail to the
// user, through `passgate mail last` (the file mailer's folder, --mail-dir).
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { parseArgs } from "node:util";
import {
  Code,
  ERROR_DOMAIN,
  ErrorReason,
  createPassgateClient,
  formatError,
  parseError,
  retryDelayMs,
  withSession,
  type SignInRequestSchema,
} from "@passgate/client";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";

// A flag it does not know, or one without its value, ends the example with
// node's one line, not its stack.
const { values: args } = (() => {
  try {
    return parseArgs({
      options: {
        target: { type: "string", default: "127.0.0.1:50051" },
        email: { type: "string" },
        password: { type: "string" },
        "new-password": { type: "string" },
        "reset-password": { type: "string" },
        passgate: { type: "string", default: "../../.venv/bin/passgate" },
        "mail-dir": { type: "string", default: "../../mail" },
        "ca-cert": { type: "string" },
        "client-cert": { type: "string" },
        "client-key": { type: "string" },
      },
    });
  } catch (err) {
    console.error(`flow: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
})();
const apiKey = process.env.PASSGATE_API_KEY;
const { email, password } = args;
const newPassword = args["new-password"];
const resetPassword = args["reset-password"];
if (!apiKey || !email || !password || !newPassword || !resetPassword) {
  console.error("flow: set PASSGATE_API_KEY and give --email, --password, --new-password, --reset-password");
  process.exit(2);
}

function emit(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

/**
 * Makes a call and, while passgate answers RESOURCE_EXHAUSTED, waits as its
 * RetryInfo says and tries again (at most 5 times).
 */
async function withBackoff<T>(step: string, call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const e = parseError(err);
      if (e === undefined || e.code !== Code.ResourceExhausted || attempt === 5) {
        throw err;
      }
      const delayMs = retryDelayMs(e) ?? 1000;
      emit({ event: "backoff", step, reason: e.reason, delay_ms: delayMs });
      await sleep(delayMs);
    }
  }
}

/**
 * Prints the decoded status and details of a call that passgate was to
 * refuse with `reason`. Anything else (a success, a refusal for another
 * reason such as a bad API key, an unreachable server) is thrown, to end
 * the example.
 */
async function expectRejected(step: string, reason: ErrorReason, call: () => Promise<unknown>): Promise<void> {
  try {
    await withBackoff(step, call);
  } catch (err) {
    const e = parseError(err);
    if (e?.domain !== ERROR_DOMAIN || e.reason !== ErrorReason[reason]) {
      throw err; // not the refusal expected, or not passgate's answer
    }
    emit({
      step,
      code: e.code,
      reason: e.reason,
      domain: e.domain,
      violations: e.violations.map(({ field, reason, description }) => ({ field, reason, description })),
    });
    return;
  }
  throw new Error(`${step}: expected passgate to refuse the call with ${ErrorReason[reason]}, it succeeded`);
}

function lastResetLink(since: string): { userId: string; token: string } {
  const line = execFileSync(
    args.passgate,
    ["mail", "last", "--mail-dir", args["mail-dir"], "--to", email!, "--since", since, "--wait", "30"],
    { encoding: "utf8" },
  );
  const link = new URL(line.trim());
  const userId = link.searchParams.get("user");
  const token = link.searchParams.get("token");
  if (!userId || !token) {
    throw new Error("reset link: want ?user=<user_id>&token=<token>");
  }
  return { userId, token };
}

const signIn = (pw: string): MessageInitShape<typeof SignInRequestSchema> => ({
  identifier: { case: "email", value: email },
  password: pw,
});

// Plaintext is for a local server only: give --ca-cert anywhere else.
const caCert = args["ca-cert"];
const clientCert = args["client-cert"];
const clientKey = args["client-key"];
if (caCert === undefined && (clientCert !== undefined || clientKey !== undefined)) {
  console.error("flow: --client-cert and --client-key need --ca-cert");
  process.exit(2);
}
const client =
  caCert === undefined
    ? createPassgateClient({ baseUrl: `http://${args.target}`, apiKey })
    : createPassgateClient({
        baseUrl: `https://${args.target}`,
        apiKey,
        tls: {
          caCert: readFileSync(caCert),
          clientCert: clientCert === undefined ? undefined : readFileSync(clientCert),
          clientKey: clientKey === undefined ? undefined : readFileSync(clientKey),
        },
      });

const main = async (): Promise<void> => {
  // A wrong password: UNAUTHENTICATED with ErrorInfo reason INVALID_CREDENTIALS.
  await expectRejected("sign_in_wrong_password", ErrorReason.INVALID_CREDENTIALS, () =>
    client.signIn(signIn(`${password}-wrong`)),
  );

  const signedIn = await withBackoff("sign_in", () => client.signIn(signIn(password)));
  emit({
    step: "sign_in",
    user_id: signedIn.userId,
    expires_at: signedIn.expiresAt && timestampDate(signedIn.expiresAt).toISOString(),
  });

  // A weak new password: INVALID_ARGUMENT with one BadRequest field violation
  // per broken rule; the session survives the refusal.
  await expectRejected("change_password_weak", ErrorReason.INVALID_REQUEST, () =>
    client.changePassword(
      { oldPassword: password, newPassword: "short", confirmPassword: "short" },
      withSession(signedIn.sessionToken),
    ),
  );

  const changed = await withBackoff("change_password", () =>
    client.changePassword(
      { oldPassword: password, newPassword, confirmPassword: newPassword },
      withSession(signedIn.sessionToken),
    ),
  );
  emit({ step: "change_password" });

  // The change revoked every other session, the one it was made with included.
  await expectRejected("old_session_revoked", ErrorReason.SESSION_INVALID, () =>
    client.verifySession({ sessionToken: signedIn.sessionToken }),
  );

  await withBackoff("sign_out", () => client.signOut({}, withSession(changed.sessionToken)));
  emit({ step: "sign_out" });

  const since = new Date().toISOString();
  await withBackoff("request_reset", () => client.requestReset({ identifier: { case: "email", value: email } }));
  emit({ step: "request_reset" });

  const { userId, token } = lastResetLink(since);
  await withBackoff("submit_reset", () => client.submitReset({ userId, token, newPassword: resetPassword }));
  emit({ step: "submit_reset", user_id: userId });

  const again = await withBackoff("sign_in_after_reset", () => client.signIn(signIn(resetPassword)));
  emit({ step: "sign_in_after_reset", user_id: again.userId });
};

try {
  await main();
} catch (err) {
  // Whatever ends the example gets one line that says why: a refused call, its
  // code, reason and message; anything else (say, no passgate command to read
  // the mail with), its message.
  const e = parseError(err);
  const why = e !== undefined ? formatError(e) : err instanceof Error ? err.message : String(err);
  console.error(`flow: ${why}`);
  process.exit(1);
}
