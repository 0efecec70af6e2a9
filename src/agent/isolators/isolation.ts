/**
 * The isolators an agent runs, as one: each phase goes to every isolator that
 * has it, prepare and recover in the registry's order, cleanup in reverse
 * (a container's cgroups outlive nothing that its mounts need).
 */
import { err, ok, type Result } from '../../lib/result.js';
import type { VolumeMount } from '../containerizer/volume-mounts.js';
import type { ContainerIsolationSpec, IsolatedContainer, Isolator, IsolatorContext, Limitation, Preparation } from './isolator.js';
import type { IsolatorName } from './names.js';
import type { ResourceStatistics } from './statistics.js';

/** What the supervisor is told to do for a container: every isolator's preparation together. */
export interface PreparedIsolation {
  readonly mounts: readonly VolumeMount[];
  readonly cgroups: readonly string[];
  readonly warnings: readonly string[];
}

/**
 * What isolators report through (IsolatorContext): limitations go to
 * whoever listens (the containerizer, once it exists), warnings to `warn`.
 * Made before the isolators, which keep it.
 */
export class IsolatorEvents implements IsolatorContext {
  private listener: ((containerId: string, limitation: Limitation) => void) | undefined;

  constructor(readonly warn: (message: string) => void = () => undefined) {}

  limit(containerId: string, limitation: Limitation): void {
    this.listener?.(containerId, limitation);
  }

  onLimit(listener: (containerId: string, limitation: Limitation) => void): void {
    this.listener = listener;
  }
}

export class Isolation {
  constructor(
    readonly isolators: readonly Isolator[],
    private readonly events: IsolatorEvents,
  ) {}

  /** Where a limitation an isolator sees goes (one listener: the containerizer). */
  onLimit(listener: (containerId: string, limitation: Limitation) => void): void {
    this.events.onLimit(listener);
  }

  get names(): readonly IsolatorName[] {
    return this.isolators.map((isolator) => isolator.name);
  }

  recover(containers: readonly IsolatedContainer[]): void {
    for (const isolator of this.isolators) isolator.recover?.(containers);
  }

  /**
   * Prepares in order; the first error stops it, and the isolators prepared
   * before it clean up (in reverse) before the error is returned.
   */
  async prepare(container: IsolatedContainer): Promise<Result<PreparedIsolation>> {
    const mounts: VolumeMount[] = [];
    const cgroups: string[] = [];
    const warnings: string[] = [];
    const prepared: Isolator[] = [];
    for (const isolator of this.isolators) {
      const preparation: Result<Preparation> = isolator.prepare?.(container) ?? ok({});
      if (!preparation.ok) {
        // The failing one too: it may have made its cgroup before a write failed (cleanup is idempotent).
        await this.cleanupWith([...prepared, isolator], container.containerId);
        return err(preparation.error);
      }
      prepared.push(isolator);
      mounts.push(...(preparation.value.mounts ?? []));
      cgroups.push(...(preparation.value.cgroups ?? []));
      warnings.push(...(preparation.value.warnings ?? []));
    }
    return ok({ mounts, cgroups, warnings });
  }

  update(containerId: string, spec: ContainerIsolationSpec): void {
    for (const isolator of this.isolators) isolator.update?.(containerId, spec);
  }

  /**
   * Every isolator's statistics, later ones filling in what earlier ones left
   * out. One that fails (even at once, reading a file) leaves the others'.
   */
  async usage(containerId: string): Promise<Partial<ResourceStatistics>> {
    const parts = await Promise.allSettled(this.isolators.map((isolator) => Promise.resolve().then(() => isolator.usage?.(containerId) ?? {})));
    let merged: Partial<ResourceStatistics> = {};
    for (const part of parts) {
      if (part.status === 'fulfilled') merged = { ...merged, ...part.value };
    }
    return merged;
  }

  /** In reverse order; an isolator that fails to clean up is named in a warning, the others still run. */
  async cleanup(containerId: string): Promise<void> {
    await this.cleanupWith(this.isolators, containerId);
  }

  close(): void {
    for (const isolator of this.isolators) isolator.close?.();
  }

  private async cleanupWith(isolators: readonly Isolator[], containerId: string): Promise<void> {
    for (const isolator of [...isolators].reverse()) {
      try {
        await isolator.cleanup?.(containerId);
      } catch (error) {
        this.events.warn(`${isolator.name} failed to clean up container ${containerId}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
