/**
 * Weighted dominant resource fairness (spec/core.md 4.3): a client's share is
 * the largest fraction it holds of any scalar resource in the cluster, divided
 * by its weight; siblings are ordered by (share, allocation count, path) and the
 * tree is flattened in pre-order.
 *
 * The order is kept incrementally: an allocation moves the client (and its
 * ancestors) to its new place among its siblings, so that an allocation run can
 * re-sort after every agent cheaply; anything else marks the tree dirty and the
 * next sort recomputes every share.
 */
import type { Random } from '../../../lib/random.js';
import { addQuantities, type ScalarQuantities, type Sorter } from './sorter.js';
import { SorterTree, type SorterNode } from './tree.js';

export class DrfSorter implements Sorter {
  private tree = new SorterTree();
  private readonly total = new Map<string, number>();
  private weights = new Map<string, number>();
  private dirty = true;
  private order: readonly string[] | undefined;
  revision = 0;
  /** Sorting only puts siblings in their canonical (share, count, path) order. */
  readonly sortLeavesNoTrace = true;

  constructor(private readonly excludedNames: ReadonlySet<string> = new Set()) {}

  get clientCount(): number {
    return this.tree.leaves.size;
  }

  add(client: string): void {
    this.revision++;
    this.tree.add(client);
    this.markDirty();
  }

  remove(client: string): void {
    this.revision++;
    this.tree.remove(client);
    this.markDirty();
  }

  /** Framework sorters are flat (no `/` in ids): their order can follow repositions in place. */
  private isFlat(): boolean {
    return this.tree.root.children.every((child) => child.kind !== 'internal');
  }

  contains(client: string): boolean {
    return this.tree.leaves.has(client);
  }

  activate(client: string): void {
    this.revision++;
    if (this.tree.setActive(client, true)) this.markDirty();
  }

  deactivate(client: string): void {
    this.revision++;
    // Moving an inactive leaf to the end keeps the active prefix sorted.
    if (this.tree.setActive(client, false)) this.order = undefined;
  }

  isActive(client: string): boolean {
    return this.tree.find(client).kind === 'active';
  }

  updateWeight(path: string, weight: number): void {
    this.revision++;
    if (weight === 1) this.weights.delete(path);
    else this.weights.set(path, weight);
    this.markDirty();
  }

  allocated(client: string, quantities: ScalarQuantities): void {
    this.revision++;
    this.reposition(this.tree.adjust(client, quantities, 1));
  }

  unallocated(client: string, quantities: ScalarQuantities): void {
    this.revision++;
    this.reposition(this.tree.adjust(client, quantities, -1));
  }

  allocation(client: string): ScalarQuantities {
    return this.tree.find(client).allocation;
  }

  addTotal(quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.total, quantities, 1);
    this.markDirty();
  }

  removeTotal(quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.total, quantities, -1);
    this.markDirty();
  }

  share(client: string): number {
    return this.shareOf(this.tree.find(client));
  }

  sort(_random: Random): readonly string[] {
    if (this.dirty) {
      this.sortSubtree(this.tree.root);
      this.dirty = false;
      this.order = undefined;
    }
    this.order ??= this.tree.listActive();
    return this.order;
  }

  clone(): DrfSorter {
    const copy = new DrfSorter(this.excludedNames);
    copy.tree = this.tree.clone();
    for (const [name, amount] of this.total) copy.total.set(name, amount);
    copy.weights = new Map(this.weights);
    copy.dirty = this.dirty;
    copy.order = this.order?.slice();
    return copy;
  }

  private markDirty(): void {
    this.dirty = true;
    this.order = undefined;
    this.flat = undefined;
  }

  private shareOf(node: SorterNode): number {
    let share = 0;
    for (const [name, total] of this.total) {
      if (total <= 0 || this.excludedNames.has(name)) continue;
      const allocated = node.allocation.get(name) ?? 0;
      if (allocated > 0) share = Math.max(share, allocated / total);
    }
    return share / (this.weights.get(node.path) ?? 1);
  }

  private sortSubtree(node: SorterNode): void {
    let activeCount = 0;
    for (const child of node.children) {
      if (child.kind === 'inactive') break;
      child.share = this.shareOf(child);
      activeCount++;
    }
    const head = node.children.slice(0, activeCount).sort(compareDrf);
    for (let i = 0; i < activeCount; i++) node.children[i] = head[i] as SorterNode;
    for (const child of head) if (child.kind === 'internal') this.sortSubtree(child);
  }

  /**
   * After an allocation change, shift each touched node into its sorted place.
   * In a flat tree the cached order is the active prefix of the root's
   * children, so it is moved the same way instead of being rebuilt: an
   * allocation costs O(frameworks moved), not O(frameworks).
   */
  private reposition(path: readonly SorterNode[]): void {
    if (this.dirty) return;
    const order = path.length === 1 && this.order !== undefined && this.isFlatCached() ? (this.order as string[]) : undefined;
    if (order === undefined) this.order = undefined;
    for (const node of path) {
      if (node.kind === 'inactive') continue;
      node.share = this.shareOf(node);
      const siblings = (node.parent as SorterNode).children;
      let position = siblings.indexOf(node);
      const start = position;
      while (position > 0 && compareDrf(node, siblings[position - 1] as SorterNode) < 0) {
        siblings[position] = siblings[position - 1] as SorterNode;
        siblings[--position] = node;
      }
      for (;;) {
        const next = siblings[position + 1];
        if (next === undefined || next.kind === 'inactive' || compareDrf(next, node) >= 0) break;
        siblings[position] = next;
        siblings[++position] = node;
      }
      if (order !== undefined && position !== start) moveWithin(order, start, position);
    }
  }

  private flat: boolean | undefined;

  private isFlatCached(): boolean {
    this.flat ??= this.isFlat();
    return this.flat;
  }
}

/** Moves the element at `from` to `to`, shifting the ones between (as the insertion above did). */
function moveWithin(list: string[], from: number, to: number): void {
  const item = list[from] as string;
  if (from < to) list.copyWithin(from, from + 1, to + 1);
  else list.copyWithin(to + 1, to, from);
  list[to] = item;
}

function compareDrf(left: SorterNode, right: SorterNode): number {
  if (left.share !== right.share) return left.share < right.share ? -1 : 1;
  if (left.count !== right.count) return left.count - right.count;
  const a = left.path;
  const b = right.path;
  return a < b ? -1 : a > b ? 1 : 0;
}
