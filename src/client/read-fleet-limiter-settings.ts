/**
 * The limiter's fleet settings from the environment map (never `process.env` here): `B24_REDIS_URL`
 * (the shared Redis limiter store), `B24_REDIS_PREFIX` (its key prefix, default `b24chain:`) and
 * `B24_EGRESS_LABEL` (the public IP a host sends from, by name: hosts with different labels get
 * separate request buckets). A Redis URL on another host is allowed (it is the user's infrastructure);
 * its password is registered for redaction and never shown.
 */
import { ConnectionConfigError, registerSecret } from '../errors/index.ts';
import { maskRedisUrl } from '../limiter/index.ts';

export interface FleetLimiterSettings {
  redisUrl?: string;
  redisPrefix?: string;
  egressLabel?: string;
}

const EGRESS_LABEL = /^[A-Za-z0-9._-]{1,64}$/;

function redisUrlOf(text: string): string {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url !== undefined && url.password !== '') {
    registerSecret(url.password);
    registerSecret(decodeURIComponent(url.password));
  }
  if (url === undefined || (url.protocol !== 'redis:' && url.protocol !== 'rediss:') || url.hostname === '') {
    throw new ConnectionConfigError({
      setting: 'B24_REDIS_URL',
      code: 'INVALID_URL',
      detail: `is not a redis:// or rediss:// URL (${maskRedisUrl(text)})`,
      hint: 'Give redis://[:password@]host:port[/db], or rediss:// for TLS.',
    });
  }
  return text;
}

export function readFleetLimiterSettings(env: Readonly<Record<string, string | undefined>>): FleetLimiterSettings {
  const text = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  const settings: FleetLimiterSettings = {};
  const redisUrl = text('B24_REDIS_URL');
  if (redisUrl !== undefined) settings.redisUrl = redisUrlOf(redisUrl);
  const prefix = text('B24_REDIS_PREFIX');
  if (prefix !== undefined) settings.redisPrefix = prefix;
  const label = text('B24_EGRESS_LABEL');
  if (label !== undefined) {
    if (!EGRESS_LABEL.test(label)) {
      throw new ConnectionConfigError({
        setting: 'B24_EGRESS_LABEL',
        code: 'INVALID_SETTING',
        detail: `"${label}" is not a label (letters, digits, dot, dash, underscore; up to 64)`,
        hint: 'Name the public IP this host sends from, e.g. B24_EGRESS_LABEL=nat-eu-1.',
      });
    }
    settings.egressLabel = label;
  }
  return settings;
}
