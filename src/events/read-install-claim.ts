/**
 * What an `ONAPPINSTALL` (or `ONAPPUPDATE`) post claims about the install, read from its `auth` block
 * (protocol.md §7; bitrix24/b24restdocs api-reference/events/safe-event-handlers.md): the portal's
 * `member_id`, the new `application_token`, the installing user's `access_token` (the proof to check),
 * `refresh_token`, `expires_in`, `server_endpoint`, `client_endpoint` and `domain`. Nothing here is
 * trusted until `verifyInstall` confirmed it. No token is logged or put in an error; only a verified
 * install's tokens are registered for redaction (a flood of forged posts must not grow that list).
 */
import { parseQuery, type QueryObject, type QueryValue } from '../protocol/index.ts';

export interface InstallClaim {
  memberId: string;
  applicationToken: string;
  /** Empty when the post carries none (then nothing can be verified). */
  accessToken: string;
  refreshToken?: string;
  expiresInSeconds?: number;
  domain: string;
  serverEndpoint: string;
  clientEndpoint: string;
}

function text(value: QueryValue | undefined): string {
  return typeof value === 'string' ? value.trim() : '';
}

export function readInstallClaim(body: string): InstallClaim {
  let form: QueryObject;
  try {
    form = parseQuery(body);
  } catch {
    form = {};
  }
  const auth: QueryObject = form.auth !== undefined && typeof form.auth === 'object' && !Array.isArray(form.auth) ? form.auth : {};
  const claim: InstallClaim = {
    memberId: text(auth.member_id),
    applicationToken: text(auth.application_token),
    accessToken: text(auth.access_token),
    domain: text(auth.domain),
    serverEndpoint: text(auth.server_endpoint),
    clientEndpoint: text(auth.client_endpoint),
  };
  const refreshToken = text(auth.refresh_token);
  if (refreshToken !== '') claim.refreshToken = refreshToken;
  const expiresIn = Number(text(auth.expires_in));
  if (Number.isFinite(expiresIn) && expiresIn > 0) claim.expiresInSeconds = expiresIn;
  return claim;
}
