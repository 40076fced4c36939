// Admin manages a user's sessions through passgate's AdminService: it creates
// a user, signs them in twice, lists their sessions, revokes the first one,
// and shows VerifySession refusing it while the second still works. Every
// step prints one JSON line.
//
// It needs an API key with the admin scope that may also call SignIn and
// VerifySession, made in the folder of the server's database:
//
//   passgate apikey create --name admin-example --scopes admin,SignIn,VerifySession
//
// Then, from clients/java:
//
//   PASSGATE_API_KEY=pgk_... java -cp "target/passgate-client-0.1.0.jar:$(cat target/classpath.txt)" \
//       examples/Admin.java --target 127.0.0.1:50051 --email grace@example.com \
//       --password 'Correct-Horse-9-battery'
//
// With --ca-cert it connects over TLS, trusting that CA; with --client-cert
// and --client-key as well, over mutual TLS.

import com.google.protobuf.Timestamp;
import dev.passgate.admin.v1.AdminServiceGrpc;
import dev.passgate.admin.v1.CreateUserRequest;
import dev.passgate.admin.v1.CreateUserResponse;
import dev.passgate.admin.v1.ListUserSessionsRequest;
import dev.passgate.admin.v1.RevokeUserSessionRequest;
import dev.passgate.admin.v1.Session;
import dev.passgate.auth.v1.AuthServiceGrpc;
import dev.passgate.auth.v1.ErrorReason;
import dev.passgate.auth.v1.SignInRequest;
import dev.passgate.auth.v1.SignInResponse;
import dev.passgate.auth.v1.VerifySessionRequest;
import dev.passgate.auth.v1.VerifySessionResponse;
import dev.passgate.client.Passgate;
import dev.passgate.client.PassgateError;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

public class Admin {
  public static void main(String[] argv) throws Exception {
    // --flag value pairs; a flag it does not know, or one without its value, ends it on one line.
    Set<String> known = Set.of("target", "email", "password", "ca-cert", "client-cert", "client-key");
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i += 2) {
      String flag = argv[i];
      if (!flag.startsWith("--") || !known.contains(flag.substring(2))) {
        System.err.println("Admin: unknown option " + flag);
        System.exit(2);
      }
      if (i + 1 == argv.length) {
        System.err.println("Admin: option " + flag + " needs a value");
        System.exit(2);
      }
      args.put(flag.substring(2), argv[i + 1]);
    }
    String apiKey = System.getenv("PASSGATE_API_KEY");
    String target = args.getOrDefault("target", "127.0.0.1:50051");
    String email = args.get("email");
    String password = args.get("password");
    String caCert = args.get("ca-cert");
    String clientCert = args.get("client-cert");
    String clientKey = args.get("client-key");
    if (apiKey == null || apiKey.isEmpty() || email == null || password == null) {
      System.err.println("Admin: set PASSGATE_API_KEY (a key with the admin scope) and give --email and --password");
      System.exit(2);
    }
    if ((clientCert == null) != (clientKey == null) || (clientCert != null && caCert == null)) {
      System.err.println("Admin: --client-cert and --client-key go together, and need --ca-cert");
      System.exit(2);
    }

    // Plaintext is for a local server only: give --ca-cert anywhere else.
    ChannelCredentials credentials = InsecureChannelCredentials.create();
    if (caCert != null) {
      credentials = clientCert == null
          ? Passgate.tls(new File(caCert))
          : Passgate.tls(new File(caCert), new File(clientCert), new File(clientKey));
    }
    ManagedChannel channel = Grpc.newChannelBuilder(target, credentials).build();
    boolean refused = false;
    try {
      // One channel, the same API key, both services.
      AdminServiceGrpc.AdminServiceBlockingStub admin = AdminServiceGrpc.newBlockingStub(channel)
          .withInterceptors(Passgate.apiKey(apiKey))
          .withDeadlineAfter(1, TimeUnit.MINUTES);
      AuthServiceGrpc.AuthServiceBlockingStub auth = AuthServiceGrpc.newBlockingStub(channel)
          .withInterceptors(Passgate.apiKey(apiKey))
          .withDeadlineAfter(1, TimeUnit.MINUTES);

      CreateUserResponse created = admin.createUser(
          CreateUserRequest.newBuilder().setEmail(email).setPassword(password).build());
      String userId = created.getUser().getUserId();
      emit(Map.of("step", "create_user", "user_id", userId));

      // Two sign-ins, two sessions; the first one's id is the only session
      // listed between them.
      SignInRequest signIn = SignInRequest.newBuilder().setEmail(email).setPassword(password).build();
      SignInResponse first = auth.signIn(signIn);
      ListUserSessionsRequest listSessions = ListUserSessionsRequest.newBuilder().setUserId(userId).build();
      List<Session> afterFirst = admin.listUserSessions(listSessions).getSessionsList();
      if (afterFirst.size() != 1) {
        throw new IllegalStateException("list sessions: " + afterFirst.size() + " sessions after one sign-in");
      }
      String firstSessionId = afterFirst.get(0).getSessionId();
      emit(Map.of("step", "sign_in_first", "session_id", firstSessionId));
      SignInResponse second = auth.signIn(signIn);
      emit(Map.of("step", "sign_in_second", "user_id", second.getUserId()));

      List<Map<String, String>> sessions = admin.listUserSessions(listSessions).getSessionsList().stream()
          .map(s -> Map.of("session_id", s.getSessionId(), "created_at", instant(s.getCreatedAt()),
              "last_used_at", instant(s.getLastUsedAt()), "peer", s.getPeer()))
          .toList();
      emit(Map.of("step", "list_sessions", "sessions", sessions));

      admin.revokeUserSession(RevokeUserSessionRequest.newBuilder()
          .setUserId(userId).setSessionId(firstSessionId).build());
      emit(Map.of("step", "revoke_session", "session_id", firstSessionId));

      // The revoked session is refused at once: UNAUTHENTICATED, SESSION_INVALID.
      try {
        auth.verifySession(VerifySessionRequest.newBuilder().setSessionToken(first.getSessionToken()).build());
        throw new IllegalStateException("verify the revoked session: expected SESSION_INVALID, it still works");
      } catch (StatusRuntimeException e) {
        PassgateError error = PassgateError.from(e).orElseThrow(() -> e);
        if (error.code() != Status.Code.UNAUTHENTICATED
            || !error.reason().equals(ErrorReason.SESSION_INVALID.name())) {
          throw e;
        }
        emit(Map.of("step", "revoked_session_refused", "code", error.code().value(), "reason", error.reason()));
      }

      VerifySessionResponse verified = auth.verifySession(
          VerifySessionRequest.newBuilder().setSessionToken(second.getSessionToken()).build());
      emit(Map.of("step", "other_session_live", "user_id", verified.getUserId()));
    } catch (StatusRuntimeException e) {
      // A refused call ends the example with one line that says why.
      PassgateError error = PassgateError.from(e).orElseThrow(() -> e);
      System.err.println("Admin: " + error);
      refused = true;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (refused) {
      System.exit(1);
    }
  }

  static String instant(Timestamp t) {
    return Instant.ofEpochSecond(t.getSeconds(), t.getNanos()).toString();
  }

  /** One JSON line: maps, lists, numbers and strings are all these steps print. */
  static void emit(Map<String, ?> fields) {
    System.out.println(json(new LinkedHashMap<>(fields)));
    System.out.flush();
  }

  static String json(Object value) {
    if (value instanceof Map<?, ?> map) {
      StringBuilder b = new StringBuilder("{");
      map.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(json(k.toString())).append(':').append(json(v)));
      return b.append('}').toString();
    }
    if (value instanceof List<?> list) {
      return "[" + String.join(",", list.stream().map(Admin::json).toList()) + "]";
    }
    if (value instanceof Number) {
      return value.toString();
    }
    StringBuilder b = new StringBuilder("\"");
    for (char c : String.valueOf(value).toCharArray()) {
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
    return b.append('"').toString();
  }
}
