/** Webhooks: outbox rows written with the results and state changes they report, delivered by a worker. */
export { enqueueCallResults, enqueueTaskState, webhookTargets } from './outbox.js';
export { startWebhookDelivery, backoffSec, type WebhookDelivery, type WebhookDeliveryOptions } from './delivery.js';
export { signWebhook, verifyWebhook } from './sign.js';
export type { WebhookEvent, TaskStateReason } from './payload.js';
