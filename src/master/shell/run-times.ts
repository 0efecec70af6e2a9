/** Durations of allocation runs, measured by the shell (the core reads no clock). */
export class RunTimes {
  private readonly recentMs: number[] = [];
  private count = 0;
  /** Keep the latest runs only: percentiles describe recent behaviour. */
  private static readonly windowSize = 1000;

  record(durationMs: number): void {
    this.count++;
    this.recentMs.push(durationMs);
    if (this.recentMs.length > RunTimes.windowSize) this.recentMs.shift();
  }

  /** Mesos-style timer statistics under `prefix` (e.g. allocator/mesos/allocation_run_ms). */
  metrics(prefix: string): Record<string, number> {
    if (this.recentMs.length === 0) return { [`${prefix}/count`]: this.count };
    const sorted = [...this.recentMs].sort((a, b) => a - b);
    const pick = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
    return {
      [prefix]: this.recentMs[this.recentMs.length - 1] as number,
      [`${prefix}/count`]: this.count,
      [`${prefix}/min`]: sorted[0] as number,
      [`${prefix}/max`]: sorted[sorted.length - 1] as number,
      [`${prefix}/p50`]: pick(0.5),
      [`${prefix}/p90`]: pick(0.9),
      [`${prefix}/p95`]: pick(0.95),
      [`${prefix}/p99`]: pick(0.99),
    };
  }
}
