/** The credentials block printed at start and returned by `POST /_emulator/apps`. */
import type { AppCredential, TokenPair, WebhookCredential } from './credentials.ts';

export interface AppDescription {
  clientId: string;
  clientSecret: string;
  accessToken: string;
  refreshToken: string;
  memberId: string;
  applicationToken: string;
  domain: string;
  clientEndpoint: string;
  serverEndpoint: string;
  userId: number;
}

export interface WebhookDescription {
  webhookUrl: string;
  userId: number;
  code: string;
  memberId: string;
}

/** `baseUrl` is the portal's: `http://127.0.0.1:PORT` or `http://127.0.0.1:PORT/portal/p7` (then `domain` carries the prefix too). */
export function describeApp(baseUrl: string, app: AppCredential, tokens: TokenPair): AppDescription {
  return {
    clientId: app.clientId,
    clientSecret: app.clientSecret,
    accessToken: tokens.accessToken,
    refreshToken: tokens.refreshToken,
    memberId: app.portal.memberId,
    applicationToken: app.applicationToken,
    domain: baseUrl.replace(/^[a-z]+:\/\//, ''),
    clientEndpoint: `${baseUrl}/rest/`,
    serverEndpoint: `${baseUrl}/oauth/`,
    userId: app.userId,
  };
}

export function describeWebhook(baseUrl: string, webhook: WebhookCredential): WebhookDescription {
  return { webhookUrl: `${baseUrl}/rest/${webhook.userId}/${webhook.code}/`, userId: webhook.userId, code: webhook.code, memberId: webhook.portal.memberId };
}
