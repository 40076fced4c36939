// admin manages a user's sessions through passgate's AdminService: it creates
// a user, signs them in twice, lists their sessions, revokes the first one,
// and shows VerifySession refusing it while the second still works. Every
// step prints one JSON line.
//
// It needs an API key with the admin scope that may also call SignIn and
// VerifySession, made in the folder of the server's database:
//
//   passgate apikey create --name admin-example --scopes admin,SignIn,VerifySession
//
// Then, from clients/typescript:
//
//   PASSGATE_API_KEY=pgk_... node examples/dist/admin.js --target 127.0.0.1:50051 \
//       --email grace@example.com --password 'Correct-Horse-9-battery'
//
// With --ca-cert it connects over TLS, trusting that CA; with --client-cert
// and --client-key as well, over mutual TLS.
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  AuthService,
  Code,
  ErrorReason,
  admin,
  createPassgateTransport,
  formatError,
  parseError,
  type PassgateClientOptions,
} from "@passgate/client";
import { createClient } from "@connectrpc/connect";
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
        "ca-cert": { type: "string" },
        "client-cert": { type: "string" },
        "client-key": { type: "string" },
      },
    });
  } catch (err) {
    console.error(`admin: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(2);
  }
})();
const apiKey = process.env.PASSGATE_API_KEY;
const { email, password } = args;
if (!apiKey || !email || !password) {
  console.error("admin: set PASSGATE_API_KEY (a key with the admin scope) and give --email and --password");
  process.exit(2);
}

function emit(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

// Plaintext is for a local server only: give --ca-cert anywhere else.
const caCert = args["ca-cert"];
const clientCert = args["client-cert"];
const clientKey = args["client-key"];
if (caCert === undefined && (clientCert !== undefined || clientKey !== undefined)) {
  console.error("admin: --client-cert and --client-key need --ca-cert");
  process.exit(2);
}
const options: PassgateClientOptions =
  caCert === undefined
    ? { baseUrl: `http://${args.target}`, apiKey }
    : {
        baseUrl: `https://${args.target}`,
        apiKey,
        tls: {
          caCert: readFileSync(caCert),
          clientCert: clientCert === undefined ? undefined : readFileSync(clientCert),
          clientKey: clientKey === undefined ? undefined : readFileSync(clientKey),
        },
      };
// One connection, the same API key, both services.
const transport = createPassgateTransport(options);
const adminClient = createClient(admin.AdminService, transport);
const auth = createClient(AuthService, transport);

const main = async (): Promise<void> => {
  const created = await adminClient.createUser({ email, credential: { case: "password", value: password } });
  const userId = created.user?.userId ?? "";
  emit({ step: "create_user", user_id: userId });

  // Two sign-ins, two sessions; the first one's id is the only session listed
  // between them.
  const signIn = { identifier: { case: "email", value: email }, password } as const;
  const first = await auth.signIn(signIn);
  const afterFirst = await adminClient.listUserSessions({ userId });
  if (afterFirst.sessions.length !== 1) {
    throw new Error(`list sessions: ${afterFirst.sessions.length} sessions after one sign-in`);
  }
  const firstSessionId = afterFirst.sessions[0].sessionId;
  emit({ step: "sign_in_first", session_id: firstSessionId });
  const second = await auth.signIn(signIn);
  emit({ step: "sign_in_second", user_id: second.userId });

  const { sessions } = await adminClient.listUserSessions({ userId });
  emit({
    step: "list_sessions",
    sessions: sessions.map((s) => ({
      session_id: s.sessionId,
      created_at: s.createdAt && timestampDate(s.createdAt).toISOString(),
      last_used_at: s.lastUsedAt && timestampDate(s.lastUsedAt).toISOString(),
      peer: s.peer,
    })),
  });

  await adminClient.revokeUserSession({ userId, sessionId: firstSessionId });
  emit({ step: "revoke_session", session_id: firstSessionId });

  // The revoked session is refused at once: UNAUTHENTICATED, SESSION_INVALID.
  try {
    await auth.verifySession({ sessionToken: first.sessionToken });
    throw new Error("verify the revoked session: expected SESSION_INVALID, the session still works");
  } catch (err) {
    const e = parseError(err);
    if (e?.code !== Code.Unauthenticated || e.reason !== ErrorReason[ErrorReason.SESSION_INVALID]) {
      throw err;
    }
    emit({ step: "revoked_session_refused", code: e.code, reason: e.reason });
  }

  const verified = await auth.verifySession({ sessionToken: second.sessionToken });
  emit({ step: "other_session_live", user_id: verified.userId });
};

try {
  await main();
} catch (err) {
  // Whatever ends the example gets one line that says why: a refused call, its
  // code, reason and message; anything else (say, no passgate command to read
  // the mail with), its message.
  const e = parseError(err);
  const why = e !== undefined ? formatError(e) : err instanceof Error ? err.message : String(err);
  console.error(`admin: ${why}`);
  process.exit(1);
}
