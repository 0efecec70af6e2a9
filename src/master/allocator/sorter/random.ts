/**
 * `--role_sorter=random` / `--framework_sorter=random`: a weighted random order
 * (Mesos' RandomSorter), drawn from the injected Random so a seed replays it.
 * Each node's children are shuffled with probability proportional to weight.
 */
import type { Random } from '../../../lib/random.js';
import { addQuantities, type ScalarQuantities, type Sorter } from './sorter.js';
import { SorterTree, type SorterNode } from './tree.js';

export class RandomSorter implements Sorter {
  private tree = new SorterTree();
  private readonly total = new Map<string, number>();
  private weights = new Map<string, number>();
  revision = 0;
  /** Each shuffle starts from the order the last one left, so a sorted copy differs from its original. */
  readonly sortLeavesNoTrace = false;

  get clientCount(): number {
    return this.tree.leaves.size;
  }

  add(client: string): void {
    this.revision++;
    this.tree.add(client);
  }

  remove(client: string): void {
    this.revision++;
    this.tree.remove(client);
  }

  contains(client: string): boolean {
    return this.tree.leaves.has(client);
  }

  activate(client: string): void {
    this.revision++;
    this.tree.setActive(client, true);
  }

  deactivate(client: string): void {
    this.revision++;
    this.tree.setActive(client, false);
  }

  isActive(client: string): boolean {
    return this.tree.find(client).kind === 'active';
  }

  updateWeight(path: string, weight: number): void {
    this.revision++;
    this.weights.set(path, weight);
  }

  allocated(client: string, quantities: ScalarQuantities): void {
    this.revision++;
    this.tree.adjust(client, quantities, 1);
  }

  unallocated(client: string, quantities: ScalarQuantities): void {
    this.revision++;
    this.tree.adjust(client, quantities, -1);
  }

  allocation(client: string): ScalarQuantities {
    return this.tree.find(client).allocation;
  }

  addTotal(quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.total, quantities, 1);
  }

  removeTotal(quantities: ScalarQuantities): void {
    this.revision++;
    addQuantities(this.total, quantities, -1);
  }

  share(): number {
    return 0;
  }

  sort(random: Random): readonly string[] {
    this.shuffleSubtree(this.tree.root, random);
    return this.tree.listActive();
  }

  clone(): RandomSorter {
    const copy = new RandomSorter();
    copy.tree = this.tree.clone();
    for (const [name, amount] of this.total) copy.total.set(name, amount);
    copy.weights = new Map(this.weights);
    return copy;
  }

  /** Weighted shuffle: repeatedly draw a child with probability weight / remaining weight. */
  private shuffleSubtree(node: SorterNode, random: Random): void {
    const active = node.children.filter((child) => child.kind !== 'inactive');
    const inactive = node.children.filter((child) => child.kind === 'inactive');
    const ordered: SorterNode[] = [];
    const pool = active.slice();
    while (pool.length > 0) {
      const weights = pool.map((child) => this.weights.get(child.path) ?? 1);
      let pick = random.next() * weights.reduce((sum, w) => sum + w, 0);
      let index = 0;
      while (index < pool.length - 1 && pick >= (weights[index] as number)) pick -= weights[index++] as number;
      ordered.push(...pool.splice(index, 1));
    }
    node.children.length = 0;
    node.children.push(...ordered, ...inactive);
    for (const child of ordered) if (child.kind === 'internal') this.shuffleSubtree(child, random);
  }
}
