/**
 * How close each emulated portal came to its allowed rate, from the emulator's per-portal statistics
 * (`GET /_emulator/portals`): over the window from its first to its last request, the leaky bucket
 * admits at most `burst + rate × seconds` requests; the share is the requests sent over that.
 */
import type { EmulatorStats } from '../../src/emulator/index.ts';

export interface BucketLimit {
  rate: number;
  burst: number;
}

export interface PortalRate {
  name: string;
  requests: number;
  /** 503 QUERY_LIMIT_EXCEEDED answers. */
  refused503: number;
  /** From the first to the last request. */
  seconds: number;
  /** What the bucket admits over that window: `burst + rate × seconds`. */
  allowed: number;
  /** `requests / allowed`: 1 is the full budget. */
  share: number;
  /** Fewer requests than the burst: the window says nothing about the drain rate. */
  withinBurst: boolean;
}

export function measurePortalRate(name: string, stats: EmulatorStats, limit: BucketLimit): PortalRate {
  const seconds = stats.firstRequestAtMs === null || stats.lastRequestAtMs === null ? 0 : (stats.lastRequestAtMs - stats.firstRequestAtMs) / 1000;
  const allowed = limit.burst + limit.rate * seconds;
  return {
    name,
    requests: stats.httpRequests,
    refused503: stats.statuses['503'] ?? 0,
    seconds,
    allowed,
    share: stats.httpRequests / allowed,
    withinBurst: stats.httpRequests <= limit.burst,
  };
}

export interface FleetRateSummary {
  portals: number;
  requests: number;
  refused503: number;
  /** Portals that got at least one 503. */
  portalsWith503: string[];
  /** Portals past the burst whose share is under the threshold. */
  belowThreshold: string[];
  /** Portals that never passed the burst (the chain was too short to measure them). */
  withinBurst: string[];
  minShare: number;
  medianShare: number;
  maxShare: number;
}

export function summarisePortalRates(rates: readonly PortalRate[], threshold = 0.9): FleetRateSummary {
  const measured = rates.filter((rate) => !rate.withinBurst);
  const shares = measured.map((rate) => rate.share).sort((left, right) => left - right);
  return {
    portals: rates.length,
    requests: rates.reduce((sum, rate) => sum + rate.requests, 0),
    refused503: rates.reduce((sum, rate) => sum + rate.refused503, 0),
    portalsWith503: rates.filter((rate) => rate.refused503 > 0).map((rate) => rate.name),
    belowThreshold: measured.filter((rate) => rate.share < threshold).map((rate) => rate.name),
    withinBurst: rates.filter((rate) => rate.withinBurst).map((rate) => rate.name),
    minShare: shares[0] ?? 0,
    medianShare: shares[Math.floor(shares.length / 2)] ?? 0,
    maxShare: shares[shares.length - 1] ?? 0,
  };
}

/**
 * CPU per 1,000 requests, and how many portals one core keeps at full budget: a portal at full
 * budget sends `rate` requests per second, which costs `rate × cpuMsPerRequest` ms of CPU per second.
 */
export function cpuFigures(cpuMs: number, requests: number, rate: number): { cpuMsPer1000Requests: number; portalsPerCore: number } {
  const perRequest = requests === 0 ? 0 : cpuMs / requests;
  return { cpuMsPer1000Requests: perRequest * 1000, portalsPerCore: perRequest === 0 ? 0 : 1000 / (rate * perRequest) };
}
