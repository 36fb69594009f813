/**
 * Seeded, deterministic fault injection: a share of requests answered with 500/502/503 or a garbage
 * body, connections dropped before or after the portal executed the request, added latency; per
 * method or overall. The same seed and the same request sequence give the same faults.
 */
export interface FaultRule {
  /** Top-level method (lower case) the rule applies to; all methods when absent. */
  method?: string;
  /** Share of matching requests affected, 0..1. */
  rate: number;
  /** Answer with this status instead of executing. */
  status?: 500 | 502 | 503;
  /** Answer 200 with a body that is not JSON (an HTML error page). */
  garbage?: boolean;
  /** Close the connection before executing (`before`) or after executing without answering (`after`). */
  drop?: 'before' | 'after';
  /** Extra latency in ms. */
  delayMs?: number;
  /** Apply at most this many times. */
  times?: number;
}

export interface FaultConfig {
  seed?: number;
  rules: FaultRule[];
}

export interface FaultDecision {
  status?: 500 | 502 | 503;
  garbage?: boolean;
  drop?: 'before' | 'after';
  delayMs: number;
}

/** mulberry32: a tiny seeded PRNG, enough for deterministic fault draws. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  };
}

export function validateFaultConfig(input: unknown): FaultConfig {
  if (input === null || typeof input !== 'object' || !Array.isArray((input as { rules?: unknown }).rules)) {
    throw new TypeError('faults: expected {"seed"?: number, "rules": [{"method"?, "rate", "status"?, "garbage"?, "drop"?, "delayMs"?, "times"?}]}');
  }
  const config = input as FaultConfig;
  for (const rule of config.rules) {
    if (typeof rule.rate !== 'number' || rule.rate < 0 || rule.rate > 1) throw new TypeError('faults: every rule needs a rate between 0 and 1');
    if (rule.status !== undefined && ![500, 502, 503].includes(rule.status)) throw new TypeError('faults: status must be 500, 502 or 503');
    if (rule.drop !== undefined && rule.drop !== 'before' && rule.drop !== 'after') throw new TypeError('faults: drop must be "before" or "after"');
  }
  return config;
}

export class FaultInjector {
  private rules: Array<FaultRule & { used: number }> = [];
  private random: () => number = seededRandom(1);

  configure(config: FaultConfig, defaultSeed: number): void {
    this.rules = config.rules.map((rule) => ({ ...rule, method: rule.method?.toLowerCase(), used: 0 }) as FaultRule & { used: number });
    this.random = seededRandom(config.seed ?? defaultSeed);
  }

  clear(): void {
    this.rules = [];
  }

  /** Decides what happens to one request to `method`. */
  decide(method: string): FaultDecision {
    const decision: FaultDecision = { delayMs: 0 };
    for (const rule of this.rules) {
      if (rule.method !== undefined && rule.method !== method) continue;
      if (rule.times !== undefined && rule.used >= rule.times) continue;
      if (this.random() >= rule.rate) continue;
      rule.used += 1;
      decision.delayMs += rule.delayMs ?? 0;
      if (rule.status !== undefined && decision.status === undefined) decision.status = rule.status;
      if (rule.garbage) decision.garbage = true;
      if (rule.drop !== undefined && decision.drop === undefined) decision.drop = rule.drop;
    }
    return decision;
  }
}
