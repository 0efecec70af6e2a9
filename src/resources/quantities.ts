/**
 * ResourceQuantities: how much of each resource name, without any metadata.
 * Used for DRF shares, quota and minimum allocatable resources (core.md 4.5).
 * A scalar counts its value, ranges the integers they cover, a set its items.
 *
 * Amounts are fixed-point integers (thousandths, spec/storage.md 1.6) kept in
 * name order; zero amounts are never stored. Immutable.
 */
import { err, ok, type Result } from '../lib/result.js';
import { formatScalar, fromFixed, toFixed } from './fixed.js';
import { parseValue, tokenize, trimWhitespace } from './value-text.js';
import type { Resources } from './resources.js';

export class ResourceQuantities {
  private static readonly emptyInstance = new ResourceQuantities([]);

  private lastAlternatives: readonly ResourceQuantities[] | undefined;
  private lastAnswer = false;

  /** Sorted by name, each amount > 0, in thousandths. */
  private constructor(private readonly amounts: readonly (readonly [string, number])[]) {}

  static empty(): ResourceQuantities {
    return ResourceQuantities.emptyInstance;
  }

  /** From [name, fixed-point amount] pairs (as entries() returns); zeros are dropped, repeated names add up. */
  static fromEntries(amounts: Iterable<readonly [string, number]>): ResourceQuantities {
    const byName = new Map<string, number>();
    for (const [name, fixed] of amounts) byName.set(name, (byName.get(name) ?? 0) + fixed);
    const sorted = [...byName].filter(([, fixed]) => fixed > 0).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return sorted.length === 0 ? ResourceQuantities.emptyInstance : new ResourceQuantities(sorted);
  }

  static fromResources(resources: Resources): ResourceQuantities {
    const amounts: [string, number][] = [];
    for (const { resource } of resources.entries) {
      switch (resource.type) {
        case 'SCALAR':
          amounts.push([resource.name, toFixed(resource.scalar?.value ?? 0)]);
          break;
        case 'RANGES':
          for (const range of resource.ranges?.range ?? []) amounts.push([resource.name, (range.end - range.begin + 1) * 1000]);
          break;
        case 'SET':
          amounts.push([resource.name, (resource.set?.item.length ?? 0) * 1000]);
          break;
      }
    }
    return ResourceQuantities.fromEntries(amounts);
  }

  /**
   * "cpus:0.01;mem:32" (";" is AND). Names are trimmed; values must be
   * non-negative scalars; zero amounts are dropped. Error texts follow Mesos.
   */
  static parse(text: string): Result<ResourceQuantities, string> {
    const amounts: [string, number][] = [];
    for (const token of tokenize(text, ';')) {
      const pair = tokenize(token, ':');
      const [name, valueText] = pair;
      if (pair.length !== 2 || name === undefined || valueText === undefined) {
        return err(`Failed to parse '${token}': missing or extra ':'`);
      }
      const value = parseValue(valueText);
      if (!value.ok) return err(`Failed to parse '${valueText}' to quantity: ${value.error}`);
      if (value.value.type !== 'SCALAR') {
        return err(`Failed to parse '${valueText}' to quantity: only scalar values are allowed`);
      }
      if (value.value.value < 0) return err(`Failed to parse '${valueText}' to quantity: negative values are not allowed`);
      amounts.push([trimWhitespace(name), toFixed(value.value.value)]);
    }
    return ok(ResourceQuantities.fromEntries(amounts));
  }

  /** The amount of `name` as a plain number (0 when absent). */
  get(name: string): number {
    return fromFixed(this.fixed(name));
  }

  /** The amount of `name` in thousandths. */
  fixed(name: string): number {
    for (const [entryName, fixed] of this.amounts) if (entryName === name) return fixed;
    return 0;
  }

  isEmpty(): boolean {
    return this.amounts.length === 0;
  }

  /** [name, fixed-point amount] pairs in name order; each amount > 0. */
  entries(): (readonly [string, number])[] {
    return this.amounts.slice();
  }

  names(): string[] {
    return this.amounts.map(([name]) => name);
  }

  plus(other: ResourceQuantities): ResourceQuantities {
    if (other.amounts.length === 0) return this;
    if (this.amounts.length === 0) return other;
    return ResourceQuantities.fromEntries([...this.amounts, ...other.amounts]);
  }

  /** Floors at zero: a name whose amount would not stay positive disappears. */
  minus(other: ResourceQuantities): ResourceQuantities {
    if (other.amounts.length === 0 || this.amounts.length === 0) return this;
    return ResourceQuantities.fromEntries(this.amounts.map(([name, fixed]) => [name, fixed - other.fixed(name)]));
  }

  /**
   * Contains at least one of `alternatives` (an OR of AND-sets, as minimum
   * allocatable resources are). The answer for the last list asked about is
   * kept: the allocator asks with the same configured list over and over.
   * Lists are compared by identity, so a list must not change once asked about.
   */
  containsAny(alternatives: readonly ResourceQuantities[]): boolean {
    if (alternatives !== this.lastAlternatives) {
      this.lastAnswer = alternatives.some((alternative) => this.contains(alternative));
      this.lastAlternatives = alternatives;
    }
    return this.lastAnswer;
  }

  /** At least as much of every name `other` has. */
  contains(other: ResourceQuantities): boolean {
    for (const [name, fixed] of other.amounts) if (this.fixed(name) < fixed) return false;
    return true;
  }

  equals(other: ResourceQuantities): boolean {
    if (this.amounts.length !== other.amounts.length) return false;
    return this.amounts.every(([name, fixed], i) => other.amounts[i]?.[0] === name && other.amounts[i]?.[1] === fixed);
  }

  /** "cpus:1; mem:32" in name order, or "{}". */
  toString(): string {
    if (this.amounts.length === 0) return '{}';
    return this.amounts.map(([name, fixed]) => `${name}:${formatScalar(fromFixed(fixed))}`).join('; ');
  }
}

/**
 * The --min_allocatable_resources flag: "|"-separated alternatives (OR), each a
 * ";"-separated set of quantities (AND), e.g. "cpus:0.01|mem:32".
 */
export function parseMinAllocatable(text: string): Result<ResourceQuantities[], string> {
  const alternatives: ResourceQuantities[] = [];
  for (const token of tokenize(text, '|')) {
    const parsed = ResourceQuantities.parse(token);
    if (!parsed.ok) return err(`Error parsing min_allocatable_resources '${text}': ${parsed.error}`);
    alternatives.push(parsed.value);
  }
  return ok(alternatives);
}
