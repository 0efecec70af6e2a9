/**
 * `--framework_sorter=random`: frameworks of a role in a random order drawn
 * from the injected Random on every read (Mesos' RandomSorter, flat case).
 */
import type { Random } from '../../../lib/random.js';
import { shuffled } from '../../../lib/random.js';
import { IndexBits } from './index-bits.js';
import { addQuantities, type FrameworkSorter, type ScalarQuantities, type SortableFramework, type SorterEntry } from './sorter.js';

interface Client<T> {
  readonly value: T;
  readonly allocation: Map<string, number>;
  active: boolean;
}

export class FlatRandomSorter<T extends SortableFramework> implements FrameworkSorter<T> {
  private clients = new Map<string, Client<T>>();
  private active = new IndexBits();
  private activeTotal = 0;
  revision = 0;

  get clientCount(): number {
    return this.clients.size;
  }

  get activeIndexes(): Uint32Array {
    return this.active.words;
  }

  get activeCount(): number {
    return this.activeTotal;
  }

  add(value: T): void {
    this.revision++;
    this.clients.set(value.id, { value, allocation: new Map(), active: false });
  }

  remove(id: string): void {
    this.revision++;
    this.deactivate(id);
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
    this.activeTotal++;
  }

  deactivate(id: string): void {
    this.revision++;
    const client = this.clients.get(id);
    if (client === undefined || !client.active) return;
    client.active = false;
    this.active.clear(client.value.index);
    this.activeTotal--;
  }

  isActive(id: string): boolean {
    return this.client(id).active;
  }

  allocated(id: string, quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.client(id).allocation, quantities, 1);
  }

  unallocated(id: string, quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.client(id).allocation, quantities, -1);
  }

  allocation(id: string): ScalarQuantities {
    return this.client(id).allocation;
  }

  addTotal(): void {}

  removeTotal(): void {}

  share(): number {
    return 0;
  }

  orderedRuns(random: Random): readonly (readonly SorterEntry<T>[])[] {
    return [shuffled([...this.clients.values()].filter((client) => client.active), random)];
  }

  clone(): FlatRandomSorter<T> {
    const copy = new FlatRandomSorter<T>();
    for (const [id, client] of this.clients) copy.clients.set(id, { ...client, allocation: new Map(client.allocation) });
    copy.active = this.active.clone();
    copy.activeTotal = this.activeTotal;
    return copy;
  }

  private client(id: string): Client<T> {
    const client = this.clients.get(id);
    if (client === undefined) throw new Error(`sorter: unknown client '${id}'`);
    return client;
  }
}
