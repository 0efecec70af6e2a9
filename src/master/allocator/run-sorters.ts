/**
 * The sorters an allocation run works on: copies of the allocator's (the run
 * must not change the state), taken when first needed, each remembering what
 * it was copied from and that sorter's revision.
 *
 * Applying the plan used to replay every offer on the original sorters, which
 * repeats exactly the calls the run made on its copies. When the originals
 * have not changed since, the copies are what the replay would produce, and
 * the allocator takes them instead (Allocator.applyPlan). Two cases differ and
 * are replayed: an offer that merged two grants (the run counted two
 * allocations, the replay counts one), and a role sorter whose sort() leaves
 * a trace (the random sorter reshuffles from its last order).
 */
import type { Allocator } from './allocator.js';
import type { FrameworkSorter, Sorter } from './sorter/sorter.js';
import type { AllocatorFramework, PlannedSorters, SorterCopy } from './types.js';

export class RunSorters {
  readonly roleSorter: Sorter;
  private readonly roleCopy: SorterCopy<Sorter>;
  private readonly frameworkCopies = new Map<string, SorterCopy<FrameworkSorter<AllocatorFramework>>>();

  constructor(private readonly state: Allocator) {
    const source = state.roleSorter;
    this.roleSorter = source.clone();
    this.roleCopy = { source, revision: source.revision, copy: this.roleSorter };
  }

  /** The run's copy of a role's framework sorter; undefined when the role has none. */
  frameworkSorter(role: string): FrameworkSorter<AllocatorFramework> | undefined {
    let copy = this.frameworkCopies.get(role);
    if (copy === undefined) {
      const source = this.state.frameworkSorter(role);
      if (source === undefined) return undefined;
      copy = { source, revision: source.revision, copy: source.clone() };
      this.frameworkCopies.set(role, copy);
    }
    return copy.copy;
  }

  /** What the plan carries: undefined when applying it must replay the offers instead. */
  planned(mergedGrants: boolean): PlannedSorters | undefined {
    if (mergedGrants || !this.roleSorter.sortLeavesNoTrace) return undefined;
    return { roleSorter: this.roleCopy, frameworkSorters: this.frameworkCopies };
  }
}

/** True when every copy's source is still in place and unchanged, so the copies can replace them. */
export function sortersAdoptable(
  sorters: PlannedSorters,
  roleSorter: Sorter,
  frameworkSorters: ReadonlyMap<string, FrameworkSorter<AllocatorFramework>>,
): boolean {
  if (sorters.roleSorter.source !== roleSorter || sorters.roleSorter.revision !== roleSorter.revision) return false;
  for (const [role, { source, revision }] of sorters.frameworkSorters) {
    if (frameworkSorters.get(role) !== source || source.revision !== revision) return false;
  }
  return true;
}
