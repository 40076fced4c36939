// Builds an AuthService client that sends the API key on every call, and the
// call options that carry a user's session.
import { createClient, type CallOptions, type Client, type Interceptor } from "@connectrpc/connect";
import { createGrpcTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import { AuthService } from "./gen/passgate/auth/v1/auth_service_pb.js";

/** The metadata keys passgate reads. */
export const API_KEY_HEADER = "x-api-key";
export const AUTHORIZATION_HEADER = "authorization";

/** A promise-based client of passgate.auth.v1.AuthService. */
export type AuthClient = Client<typeof AuthService>;

/**
 * TLS for the connection, as PEM text (read the files with
 * `readFileSync(path)`): the CA certificate to trust, which replaces Node's
 * built-in CAs so that a private CA works, and for mutual TLS the client's
 * certificate and key.
 */
export interface PassgateTlsOptions {
  caCert: string | Buffer;
  clientCert?: string | Buffer;
  clientKey?: string | Buffer;
}

/** Transport options (`baseUrl`, timeouts...) plus the API key and TLS. */
export type PassgateClientOptions = GrpcTransportOptions & {
  /** Sent as `x-api-key` on every call. */
  apiKey: string;
  /** With an `https://` base URL: the CA to trust and the client certificate, if any. */
  tls?: PassgateTlsOptions;
};

/** An interceptor that sends `apiKey` as `x-api-key` on every call. */
export function apiKeyInterceptor(apiKey: string): Interceptor {
  return (next) => async (req) => {
    req.header.set(API_KEY_HEADER, apiKey);
    return next(req);
  };
}

/**
 * Creates an AuthService client over gRPC (HTTP/2). `baseUrl` is
 * `http://host:port` for plaintext or `https://host:port` for TLS. A mistake
 * in the TLS options throws here rather than failing the first call.
 */
export function createPassgateClient(options: PassgateClientOptions): AuthClient {
  const { apiKey, tls, interceptors = [], ...transport } = options;
  if (tls !== undefined) {
    if (!transport.baseUrl.startsWith("https://")) {
      throw new Error("passgate: TLS options need an https:// baseUrl");
    }
    if ((tls.clientCert === undefined) !== (tls.clientKey === undefined)) {
      throw new Error("passgate: a client certificate and its key go together");
    }
    transport.nodeOptions = {
      ...transport.nodeOptions,
      ca: tls.caCert,
      ...(tls.clientCert !== undefined && { cert: tls.clientCert, key: tls.clientKey }),
    };
  }
  return createClient(
    AuthService,
    createGrpcTransport({ ...transport, interceptors: [apiKeyInterceptor(apiKey), ...interceptors] }),
  );
}

/**
 * Call options that carry `sessionToken` as `authorization: Bearer <token>`,
 * for ChangePassword and SignOut.
 */
export function withSession(sessionToken: string, options: CallOptions = {}): CallOptions {
  const headers = new Headers(options.headers);
  headers.set(AUTHORIZATION_HEADER, `Bearer ${sessionToken}`);
  return { ...options, headers };
}
