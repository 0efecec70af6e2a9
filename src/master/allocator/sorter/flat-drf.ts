/**
 * DRF among the frameworks of one role (spec/core.md 4.3): the same order as
 * the tree sorter (share, then allocation count, then id) for a flat set of
 * clients, kept in sorted blocks so that moving one framework after an
 * allocation is cheap even with thousands of frameworks.
 */
import type { Random } from '../../../lib/random.js';
import { IndexBits } from './index-bits.js';
import { SortedBlocks } from './sorted-blocks.js';
import { addQuantities, type FrameworkSorter, type ScalarQuantities, type SortableFramework, type SorterEntry } from './sorter.js';

interface Client<T> {
  readonly value: T;
  readonly allocation: Map<string, number>;
  count: number;
  share: number;
  active: boolean;
}

function compare<T extends SortableFramework>(left: Client<T>, right: Client<T>): number {
  if (left.share !== right.share) return left.share < right.share ? -1 : 1;
  if (left.count !== right.count) return left.count - right.count;
  const a = left.value.id;
  const b = right.value.id;
  return a < b ? -1 : a > b ? 1 : 0;
}

export class FlatDrfSorter<T extends SortableFramework> implements FrameworkSorter<T> {
  private clients = new Map<string, Client<T>>();
  private order = new SortedBlocks<Client<T>>(compare);
  private total = new Map<string, number>();
  /** The totals shares divide by (positive, not excluded from fairness); dropped when the totals change. */
  private denominators: (readonly [string, number])[] | undefined;
  private active = new IndexBits();
  /** Shares are stale after the totals change: the next read recomputes them all. */
  private dirty = false;
  revision = 0;

  constructor(private readonly excludedNames: ReadonlySet<string> = new Set()) {}

  get clientCount(): number {
    return this.clients.size;
  }

  get activeIndexes(): Uint32Array {
    return this.active.words;
  }

  get activeCount(): number {
    return this.order.size;
  }

  add(value: T): void {
    this.revision++;
    this.clients.set(value.id, { value, allocation: new Map(), count: 0, share: 0, active: false });
  }

  remove(id: string): void {
    this.revision++;
    const client = this.client(id);
    if (client.active) this.deactivate(id);
    this.clients.delete(id);
  }

  contains(id: string): boolean {
    return this.clients.has(id);
  }

  activate(id: string): void {
    this.revision++;
    const client = this.client(id);
    if (client.active) return;
    client.active = true;
    this.active.set(client.value.index);
    if (!this.dirty) client.share = this.shareOf(client);
    this.order.insert(client);
  }

  deactivate(id: string): void {
    this.revision++;
    const client = this.client(id);
    if (!client.active) return;
    this.refresh();
    this.order.remove(client);
    client.active = false;
    this.active.clear(client.value.index);
  }

  isActive(id: string): boolean {
    return this.client(id).active;
  }

  allocated(id: string, quantities: ScalarQuantities): void {
    this.change(id, quantities, 1);
  }

  unallocated(id: string, quantities: ScalarQuantities): void {
    this.change(id, quantities, -1);
  }

  allocation(id: string): ScalarQuantities {
    return this.client(id).allocation;
  }

  addTotal(quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.total, quantities, 1);
    this.dirty = true;
    this.denominators = undefined;
  }

  removeTotal(quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.total, quantities, -1);
    this.dirty = true;
    this.denominators = undefined;
  }

  share(id: string): number {
    return this.shareOf(this.client(id));
  }

  orderedRuns(_random: Random): readonly (readonly SorterEntry<T>[])[] {
    this.refresh();
    return this.order.blocks;
  }

  clone(): FlatDrfSorter<T> {
    const copy = new FlatDrfSorter<T>(this.excludedNames);
    this.refresh();
    const activeCopies: Client<T>[] = [];
    for (const [id, client] of this.clients) {
      const duplicate = { ...client, allocation: new Map(client.allocation) };
      copy.clients.set(id, duplicate);
      if (duplicate.active) activeCopies.push(duplicate);
    }
    copy.order.rebuild(activeCopies);
    copy.total = new Map(this.total);
    copy.active = this.active.clone();
    return copy;
  }

  private client(id: string): Client<T> {
    const client = this.clients.get(id);
    if (client === undefined) throw new Error(`sorter: unknown client '${id}'`);
    return client;
  }

  /** After the totals changed every share is recomputed and the order rebuilt. */
  private refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const active: Client<T>[] = [];
    for (const client of this.clients.values()) {
      client.share = this.shareOf(client);
      if (client.active) active.push(client);
    }
    this.order.rebuild(active);
  }

  private change(id: string, quantities: ScalarQuantities, sign: 1 | -1): void {
    this.revision++;
    const client = this.client(id);
    const moves = client.active && !this.dirty;
    if (moves) this.order.remove(client);
    addQuantities(client.allocation, quantities, sign);
    if (sign === 1) client.count++;
    client.share = this.shareOf(client);
    if (moves) this.order.insert(client);
  }

  private shareOf(client: Client<T>): number {
    this.denominators ??= [...this.total].filter(([name, total]) => total > 0 && !this.excludedNames.has(name));
    let share = 0;
    for (const [name, total] of this.denominators) {
      const allocated = client.allocation.get(name) ?? 0;
      if (allocated > 0) share = Math.max(share, allocated / total);
    }
    return share;
  }
}
