// @passgate/client: passgate's AuthService and AdminService for TypeScript on
// Node, over gRPC, and a verifier for its webhooks.
export * from "./gen/passgate/auth/v1/auth_service_pb.js";
export * from "./gen/passgate/auth/v1/error_reason_pb.js";
// AdminService's messages share names with AuthService's (Session, SearchKey):
// they live in their own namespace.
export * as admin from "./gen/passgate/admin/v1/admin_service_pb.js";
export {
  API_KEY_HEADER,
  AUTHORIZATION_HEADER,
  apiKeyInterceptor,
  createPassgateAdminClient,
  createPassgateClient,
  createPassgateTransport,
  withSession,
  type AdminClient,
  type AuthClient,
  type PassgateClientOptions,
  type PassgateTlsOptions,
} from "./client.js";
export {
  ERROR_DOMAIN,
  formatError,
  hasViolation,
  parseError,
  retryDelayMs,
  type FieldViolation,
  type PassgateError,
  type QuotaViolation,
} from "./errors.js";
export {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  WEBHOOK_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WEBHOOK_TIMESTAMP_HEADER,
  WebhookVerificationError,
  WebhookVerifier,
  type WebhookErrorReason,
  type WebhookHeaders,
  type WebhookVerifierOptions,
} from "./webhook.js";
export { Code, ConnectError } from "@connectrpc/connect";
