/**
 * `@synctalk/sdk/server`: helpers for a site's own backend (Node.js only; uses node:crypto). Never import
 * this from browser code: it handles the site secret.
 */
export {
  createUserToken,
  DEFAULT_USER_TOKEN_LIFETIME,
  MAX_USER_TOKEN_LIFETIME,
  type CreateUserTokenOptions,
} from './user-token.js';
export {
  DEFAULT_WEBHOOK_TOLERANCE,
  signWebhook,
  verifyWebhook,
  WEBHOOK_EVENT_ID_HEADER,
  WEBHOOK_SIGNATURE_HEADER,
  WebhookVerificationError,
  type VerifyWebhookOptions,
  type WebhookVerificationReason,
} from './webhook-signature.js';
export {
  createServerClient,
  type ServerClient,
  type ServerClientOptions,
  type ServerHistoryQuery,
  type WebhookDeliveriesOptions,
} from './server-client.js';
