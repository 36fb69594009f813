/** The portal's published limits (protocol.md §3). */
export const LIMITER_PRESETS = {
  standard: { rate: 2, burst: 50 },
  enterprise: { rate: 5, burst: 250 },
} as const satisfies Record<string, { rate: number; burst: number }>;

export type LimiterPreset = keyof typeof LIMITER_PRESETS;
