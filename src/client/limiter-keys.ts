/**
 * The limiter's keys for a connection, as Bitrix24 keys its limits (protocol.md §3): the request bucket
 * per portal and source IP (`B24_EGRESS_LABEL` names the public IP a host sends from, so hosts behind
 * different IPs get separate buckets and hosts behind one share it), the operating budget per portal,
 * auth kind (`apauth` for a webhook, `oauth` for an application) and credential (the webhook, or the
 * application's client id), each method apart. The credential enters only as a digest: these keys are
 * stored in shared limiter stores and must hold no secret.
 */
import { createHash } from 'node:crypto';
import type { LimiterKeys } from '../limiter/index.ts';
import type { AuthSettings } from './connection.ts';

function digest(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}

export function limiterKeysOf(host: string, auth: AuthSettings, egressLabel?: string): LimiterKeys {
  const credential = auth.mode === 'webhook' ? `apauth|${digest(['webhook', auth.userId, auth.code])}` : `oauth|${digest(['oauth', auth.clientId ?? ''])}`;
  return {
    bucket: egressLabel === undefined ? host : `${host}#${egressLabel}`,
    operating: `${host}|${credential}`,
  };
}
