package dev.passgate.client;

import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall.SimpleForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.TlsChannelCredentials;
import java.io.File;
import java.io.IOException;
import java.util.concurrent.Executor;

/**
 * Attaches what passgate's AuthService reads from metadata: the API key on
 * every call ({@link #apiKey}) and a user's session on ChangePassword and
 * SignOut ({@link #session}); and makes the channel credentials for a server
 * that serves TLS or mutual TLS ({@link #tls}).
 *
 * <pre>{@code
 * var channel = Grpc.newChannelBuilder(target, Passgate.tls(caCert, clientCert, clientKey)).build();
 * var stub = AuthServiceGrpc.newBlockingStub(channel).withInterceptors(Passgate.apiKey(key));
 * stub.withCallCredentials(Passgate.session(token)).signOut(SignOutRequest.getDefaultInstance());
 * }</pre>
 */
public final class Passgate {
  /** The ErrorInfo domain of every error passgate returns. */
  public static final String ERROR_DOMAIN = "passgate.dev";

  /** The metadata entry that carries the API key. */
  public static final Metadata.Key<String> API_KEY =
      Metadata.Key.of("x-api-key", Metadata.ASCII_STRING_MARSHALLER);

  /** The metadata entry that carries a session as {@code Bearer <token>}. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** The trailer that says, in whole seconds, when to retry a RESOURCE_EXHAUSTED call. */
  public static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  private Passgate() {}

  /**
   * Channel credentials for TLS that trust only the CA certificates in
   * {@code caCert} (PEM), so that a private CA works without touching the
   * JVM's trust store. The files are read here (one that cannot be read
   * throws); their contents are checked when a channel is built with the
   * credentials.
   */
  public static ChannelCredentials tls(File caCert) throws IOException {
    return TlsChannelCredentials.newBuilder().trustManager(caCert).build();
  }

  /**
   * Channel credentials for mutual TLS: trusting {@code caCert} as {@link
   * #tls(File)} does, and presenting the certificate chain in {@code
   * clientCert} with its private key in {@code clientKey} (both PEM; the key
   * unencrypted PKCS#8, {@code BEGIN PRIVATE KEY}).
   */
  public static ChannelCredentials tls(File caCert, File clientCert, File clientKey)
      throws IOException {
    return TlsChannelCredentials.newBuilder()
        .trustManager(caCert)
        .keyManager(clientCert, clientKey)
        .build();
  }

  /** An interceptor that sends {@code key} as {@code x-api-key} on every call. */
  public static ClientInterceptor apiKey(String key) {
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        return new SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            headers.put(API_KEY, key);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Call credentials that send {@code sessionToken} as {@code authorization: Bearer <token>}. */
  public static CallCredentials session(String sessionToken) {
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata headers = new Metadata();
        headers.put(AUTHORIZATION, "Bearer " + sessionToken);
        try {
          applier.apply(headers);
        } catch (RuntimeException e) {
          applier.fail(Status.UNAUTHENTICATED.withCause(e));
        }
      }
    };
  }
}
