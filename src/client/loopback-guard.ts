/**
 * Real portals refuse plain HTTP; the emulator serves it on 127.0.0.1. So `http://` is accepted only
 * for loopback addresses (127.0.0.0/8, ::1, localhost) and everything else must be `https://`.
 */
import { ConnectionConfigError } from '../errors/index.ts';
import type { Transport, TransportRequest, TransportResponse } from './transport.ts';

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true;
  if (/^::ffff:127\.\d+\.\d+\.\d+$/.test(host)) return true;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** Throws unless the URL is https, or http on a loopback address. `setting` names the source. */
export function assertSecureUrl(url: string, setting: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConnectionConfigError({
      setting,
      code: 'INVALID_URL',
      detail: 'is not a valid URL',
      hint: 'Give a host (portal.bitrix24.com) or a base URL with scheme and port (https://portal.example.com:8443).',
    });
  }
  if (parsed.protocol === 'https:') return parsed;
  if (parsed.protocol === 'http:' && isLoopbackHost(parsed.hostname)) return parsed;
  throw new ConnectionConfigError({
    setting,
    code: 'INSECURE_URL',
    detail: `${parsed.protocol}//${parsed.host} is not allowed: plain HTTP is accepted only for loopback addresses`,
    hint: 'Use https:// (a real portal refuses HTTP with INVALID_REQUEST "Https required.").',
  });
}

/** A transport decorator that refuses any request to a non-loopback plain-HTTP URL. */
export function withLoopbackGuard(transport: Transport): Transport {
  return {
    send(request: TransportRequest, label: string): Promise<TransportResponse> {
      assertSecureUrl(request.url, label);
      return transport.send(request, label);
    },
    close: () => transport.close(),
  };
}
