// Flow walks a user through passgate's password life cycle: sign in, change
// the password, request a reset, submit it with the link from the e-mail, and
// sign in with the new password. On the way it makes calls that passgate
// rejects and shows their decoded details. Every step prints one JSON line;
// calls refused with RESOURCE_EXHAUSTED are retried after the delay the
// server asks for.
//
// Run it from clients/java, against the server `scripts/serve` started:
//
//   mvn -q package dependency:build-classpath -Dmdep.outputFile=target/classpath.txt
//   PASSGATE_API_KEY=pgk_... java -cp "target/passgate-client-0.1.0.jar:$(cat target/classpath.txt)" \
//       examples/Flow.java --target 127.0.0.1:50051 --email ada@example.com \
//       --password 'Correct-Horse-9-battery' --new-password 'Another#Strong-Pass-42' \
//       --reset-password 'Third$Strong-Pass-77'
//
// With --ca-cert it connects over TLS, trusting that CA; with --client-cert
// and --client-key as well, over mutual TLS.
//
// After RequestReset it takes the reset link from the newest e-mail to the
// user, through `passgate mail last` (the file mailer's folder, --mail-dir).

import dev.passgate.auth.v1.AuthServiceGrpc;
import dev.passgate.auth.v1.ChangePasswordRequest;
import dev.passgate.auth.v1.ChangePasswordResponse;
import dev.passgate.auth.v1.ErrorReason;
import dev.passgate.auth.v1.RequestResetRequest;
import dev.passgate.auth.v1.SignInRequest;
import dev.passgate.auth.v1.SignInResponse;
import dev.passgate.auth.v1.SignOutRequest;
import dev.passgate.auth.v1.SubmitResetRequest;
import dev.passgate.auth.v1.VerifySessionRequest;
import dev.passgate.client.Passgate;
import dev.passgate.client.PassgateError;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

public class Flow {
  public static void main(String[] argv) throws Exception {
    Map<String, String> args = parseArgs(argv, Set.of("target", "email", "password", "new-password",
        "reset-password", "passgate", "mail-dir", "ca-cert", "client-cert", "client-key"));
    String apiKey = System.getenv("PASSGATE_API_KEY");
    String target = args.getOrDefault("target", "127.0.0.1:50051");
    String email = args.get("email");
    String password = args.get("password");
    String newPassword = args.get("new-password");
    String resetPassword = args.get("reset-password");
    String passgate = args.getOrDefault("passgate", "../../.venv/bin/passgate");
    String mailDir = args.getOrDefault("mail-dir", "../../mail");
    String caCert = args.get("ca-cert");
    String clientCert = args.get("client-cert");
    String clientKey = args.get("client-key");
    if (apiKey == null || apiKey.isEmpty() || email == null || password == null
        || newPassword == null || resetPassword == null) {
      System.err.println("Flow: set PASSGATE_API_KEY and give --email, --password, --new-password, --reset-password");
      System.exit(2);
    }

    if ((clientCert == null) != (clientKey == null) || (clientCert != null && caCert == null)) {
      System.err.println("Flow: --client-cert and --client-key go together, and need --ca-cert");
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
    boolean failed = false;
    try {
      AuthServiceGrpc.AuthServiceBlockingStub client = AuthServiceGrpc.newBlockingStub(channel)
          .withInterceptors(Passgate.apiKey(apiKey))
          .withDeadlineAfter(2, TimeUnit.MINUTES);

      // A wrong password: UNAUTHENTICATED with ErrorInfo reason INVALID_CREDENTIALS.
      expectRejected("sign_in_wrong_password", ErrorReason.INVALID_CREDENTIALS,
          () -> client.signIn(signIn(email, password + "-wrong")));

      SignInResponse signedIn = withBackoff("sign_in", () -> client.signIn(signIn(email, password)));
      emit(Map.of("step", "sign_in", "user_id", signedIn.getUserId(),
          "expires_at", Instant.ofEpochSecond(signedIn.getExpiresAt().getSeconds()).toString()));
      var session = client.withCallCredentials(Passgate.session(signedIn.getSessionToken()));

      // A weak new password: INVALID_ARGUMENT with one BadRequest field
      // violation per broken rule; the session survives the refusal.
      expectRejected("change_password_weak", ErrorReason.INVALID_REQUEST, () -> session.changePassword(
          ChangePasswordRequest.newBuilder()
              .setOldPassword(password).setNewPassword("short").setConfirmPassword("short").build()));

      ChangePasswordResponse changed = withBackoff("change_password", () -> session.changePassword(
          ChangePasswordRequest.newBuilder().setOldPassword(password)
              .setNewPassword(newPassword).setConfirmPassword(newPassword).build()));
      emit(Map.of("step", "change_password"));

      // The change revoked every other session, the one it was made with included.
      expectRejected("old_session_revoked", ErrorReason.SESSION_INVALID, () -> client.verifySession(
          VerifySessionRequest.newBuilder().setSessionToken(signedIn.getSessionToken()).build()));

      withBackoff("sign_out", () -> client.withCallCredentials(Passgate.session(changed.getSessionToken()))
          .signOut(SignOutRequest.getDefaultInstance()));
      emit(Map.of("step", "sign_out"));

      String since = Instant.now().toString();
      withBackoff("request_reset", () -> client.requestReset(
          RequestResetRequest.newBuilder().setEmail(email).build()));
      emit(Map.of("step", "request_reset"));

      Map<String, String> link = lastResetLink(passgate, mailDir, email, since);
      withBackoff("submit_reset", () -> client.submitReset(SubmitResetRequest.newBuilder()
          .setUserId(link.get("user")).setToken(link.get("token")).setNewPassword(resetPassword).build()));
      emit(Map.of("step", "submit_reset", "user_id", link.get("user")));

      SignInResponse again = withBackoff("sign_in_after_reset", () -> client.signIn(signIn(email, resetPassword)));
      emit(Map.of("step", "sign_in_after_reset", "user_id", again.getUserId()));
    } catch (StatusRuntimeException e) {
      // A refused call ends the example with one line that says why.
      PassgateError error = PassgateError.from(e).orElseThrow(() -> e);
      System.err.println("Flow: " + error);
      failed = true;
    } catch (IOException | IllegalStateException e) {
      // So does any other failure: no passgate command to read the mail with, say.
      System.err.println("Flow: " + e.getMessage());
      failed = true;
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (failed) {
      System.exit(1);
    }
  }

  static SignInRequest signIn(String email, String password) {
    return SignInRequest.newBuilder().setEmail(email).setPassword(password).build();
  }

  /**
   * Makes a call and, while passgate answers RESOURCE_EXHAUSTED, waits as its
   * RetryInfo says and tries again (at most 5 times).
   */
  static <T> T withBackoff(String step, Supplier<T> call) throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      try {
        return call.get();
      } catch (StatusRuntimeException e) {
        PassgateError error = PassgateError.from(e).orElseThrow(() -> e);
        if (error.code() != Status.Code.RESOURCE_EXHAUSTED || attempt == 5) {
          throw e;
        }
        Duration delay = error.retryDelay().orElse(Duration.ofSeconds(1));
        emit(Map.of("event", "backoff", "step", step, "reason", error.reason(), "delay_ms", delay.toMillis()));
        Thread.sleep(delay.toMillis());
      }
    }
  }

  /**
   * Prints the decoded status and details of a call that passgate was to
   * refuse with {@code reason}. Anything else (a success, a refusal for
   * another reason such as a bad API key, an unreachable server) is thrown,
   * to end the example.
   */
  static void expectRejected(String step, ErrorReason reason, Supplier<?> call) throws InterruptedException {
    try {
      withBackoff(step, call);
    } catch (StatusRuntimeException e) {
      PassgateError error = PassgateError.from(e)
          .filter(r -> r.fromPassgate() && r.reason().equals(reason.name()))
          .orElseThrow(() -> e); // not the refusal expected, or not passgate's answer
      List<Map<String, Object>> violations = error.violations().stream()
          .map(v -> Map.<String, Object>of("field", v.field(), "reason", v.reason(), "description", v.description()))
          .toList();
      Map<String, Object> line = new LinkedHashMap<>();
      line.put("step", step);
      line.put("code", error.code().value());
      line.put("reason", error.reason());
      line.put("domain", error.domain());
      line.put("violations", violations);
      emit(line);
      return;
    }
    throw new IllegalStateException(step + ": expected passgate to refuse the call with " + reason + ", it succeeded");
  }

  /** The query of the newest {@code <reset_url>?user=<user_id>&token=<token>} sent to {@code email}. */
  static Map<String, String> lastResetLink(String passgate, String mailDir, String email, String since)
      throws Exception {
    Process process = new ProcessBuilder(passgate, "mail", "last", "--mail-dir", mailDir,
        "--to", email, "--since", since, "--wait", "30")
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (process.waitFor() != 0) {
      throw new IllegalStateException("passgate mail last exited " + process.exitValue());
    }
    Map<String, String> query = new HashMap<>();
    String raw = URI.create(line.strip()).getRawQuery();
    for (String pair : raw == null ? new String[0] : raw.split("&")) {
      String[] kv = pair.split("=", 2);
      query.put(URLDecoder.decode(kv[0], StandardCharsets.UTF_8),
          kv.length > 1 ? URLDecoder.decode(kv[1], StandardCharsets.UTF_8) : "");
    }
    if (query.getOrDefault("user", "").isEmpty() || query.getOrDefault("token", "").isEmpty()) {
      throw new IllegalStateException("reset link: want ?user=<user_id>&token=<token>");
    }
    return query;
  }

  /** {@code --flag value} pairs; a flag it does not know, or one without its value, ends it on one line. */
  static Map<String, String> parseArgs(String[] argv, Set<String> known) {
    Map<String, String> args = new HashMap<>();
    for (int i = 0; i < argv.length; i += 2) {
      String flag = argv[i];
      if (!flag.startsWith("--") || !known.contains(flag.substring(2))) {
        System.err.println("Flow: unknown option " + flag);
        System.exit(2);
      }
      if (i + 1 == argv.length) {
        System.err.println("Flow: option " + flag + " needs a value");
        System.exit(2);
      }
      args.put(flag.substring(2), argv[i + 1]);
    }
    return args;
  }

  static void emit(Map<String, ?> fields) {
    System.out.println(json(fields));
    System.out.flush();
  }

  static String json(Object value) {
    if (value instanceof Map<?, ?> map) {
      StringBuilder b = new StringBuilder("{");
      map.forEach((k, v) -> b.append(b.length() > 1 ? "," : "").append(json(k.toString())).append(':').append(json(v)));
      return b.append('}').toString();
    }
    if (value instanceof List<?> list) {
      return "[" + String.join(",", list.stream().map(Flow::json).toList()) + "]";
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
