/** Monotonic counters by metric name (spec/core.md 8): part of the state so the simulator sees them too. */
export class Counters {
  private readonly values = new Map<string, number>();

  increment(name: string, by = 1): void {
    this.values.set(name, (this.values.get(name) ?? 0) + by);
  }

  get(name: string): number {
    return this.values.get(name) ?? 0;
  }

  entries(): IterableIterator<[string, number]> {
    return this.values.entries();
  }
}
