// Builds AuthService and AdminService clients that send the API key on every
// call, and the call options that carry a user's session.
import { createClient, type CallOptions, type Client, type Interceptor, type Transport } from "@connectrpc/connect";
import { createGrpcTransport, type GrpcTransportOptions } from "@connectrpc/connect-node";
import { AdminService } from "./gen/passgate/admin/v1/admin_service_pb.js";
import { AuthService } from "./gen/passgate/auth/v1/auth_service_pb.js";

/** The metadata keys passgate reads. */
export const API_KEY_HEADER = "x-api-key";
export const AUTHORIZATION_HEADER = "authorization";

/** A promise-based client of passgate.auth.v1.AuthService. */
export type AuthClient = Client<typeof AuthService>;

/** A promise-based client of passgate.admin.v1.AdminService (its key needs the `admin` scope). */
export type AdminClient = Client<typeof AdminService>;

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
 * `http://host:port` for plaintext or `https://host:port` for TLS. A
 * baseUrl without either, or a mistake in the TLS options, throws here
 * rather than failing the first call.
 */
export function createPassgateClient(options: PassgateClientOptions): AuthClient {
  return createClient(AuthService, createPassgateTransport(options));
}

/**
 * Creates an AdminService client, with the same options as
 * `createPassgateClient`; the API key must have the `admin` scope, or every
 * call is answered PERMISSION_DENIED (`API_KEY_SCOPE`).
 */
export function createPassgateAdminClient(options: PassgateClientOptions): AdminClient {
  return createClient(AdminService, createPassgateTransport(options));
}

/**
 * The gRPC transport both clients ride on: the API key on every call, and
 * the TLS options checked before any call. Pass it to `createClient` to
 * share one connection between the two services.
 */
export function createPassgateTransport(options: PassgateClientOptions): Transport {
  const { apiKey, tls, interceptors = [], ...transport } = options;
  if (!/^https?:\/\/[^/]/i.test(transport.baseUrl)) {
    throw new Error(
      `passgate: baseUrl must be http://host:port (plaintext) or https://host:port (TLS), ` +
        `not ${JSON.stringify(transport.baseUrl)}`,
    );
  }
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
  return createGrpcTransport({ ...transport, interceptors: [apiKeyInterceptor(apiKey), ...interceptors] });
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
