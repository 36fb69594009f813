/**
 * Measures one side of a side-by-side benchmark inside its own process: wall time, this process's CPU
 * (`process.cpuUsage()`), the RSS before the run and its peak during the run (sampled on demand and every
 * 100 ms). Both clients report the same `SideFigures`, so their figures are taken the same way.
 */

/** What each side reports; the SDK side prints it as one JSON line on stdout. */
export interface SideFigures {
  /** Rows read, or writes the client acknowledged, before the run ended. */
  done: number;
  /** Leads counted on the portal after the writes (write runs only). */
  counted?: number;
  /** Commands the client reported as failed (write runs only). */
  commandFailures?: number;
  wallMs: number;
  /** User + system CPU of this process during the run, ms. */
  cpuMs: number;
  /** RSS just before the run started, MB. */
  baselineRssMb: number;
  /** Highest RSS seen during the run, MB. */
  peakRssMb: number;
  /** Why the run ended early: the time bound, or an error (code and message, secrets masked). */
  stopped?: string;
}

export interface ProcessMeter {
  /** Takes one RSS sample now (call it after every page to catch short peaks). */
  sample(): void;
  /** Stops the sampler and returns the figures measured since the meter was started. */
  finish(done: number, extra?: Pick<SideFigures, 'counted' | 'commandFailures' | 'stopped'>): SideFigures;
}

const megabyte = 1024 * 1024;

export function startProcessMeter(): ProcessMeter {
  const baselineRss = process.memoryUsage().rss;
  let peakRss = baselineRss;
  const sample = (): void => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  };
  const sampler = setInterval(sample, 100);
  sampler.unref();
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  return {
    sample,
    finish(done, extra = {}) {
      const wallMs = performance.now() - started;
      const cpu = process.cpuUsage(cpuBefore);
      clearInterval(sampler);
      sample();
      return {
        done,
        ...extra,
        wallMs: Math.round(wallMs),
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        baselineRssMb: Math.round(baselineRss / megabyte),
        peakRssMb: Math.round(peakRss / megabyte),
      };
    },
  };
}

/** CPU ms per 1,000 rows or writes, two decimals; 0 when nothing was done. */
export function cpuMsPerThousand(figures: SideFigures): number {
  return figures.done === 0 ? 0 : Math.round((figures.cpuMs / figures.done) * 1000 * 100) / 100;
}
