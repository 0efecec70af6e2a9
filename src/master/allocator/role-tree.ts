/**
 * The allocator's view of roles as a tree (`eng/frontend` under `eng`): which
 * frameworks are tracked under each role, and, aggregated over each subtree,
 * the role's reservations and what it has been offered or allocated. Quota
 * consumption (spec/core.md 4.8) = reservations + offered-or-allocated
 * unreserved resources, both over the subtree.
 *
 * A node lives while it has frameworks, reservations, allocations, children or
 * a quota; empty nodes are pruned so the tree only holds roles that matter.
 */
import { roleAncestors } from '../../resources/index.js';
import type { Resources } from '../../resources/index.js';
import { addInto, isEmpty, plus, reservationSplitScalars, scalarQuantities, type Quantities } from './quantities.js';
import { defaultQuota, isDefaultQuota, type Quota } from './quota.js';

export class RoleNode {
  readonly frameworks = new Set<string>();
  readonly children = new Set<string>();
  /** Subtree scalar quantities of reservations on agents (allocated or not). */
  readonly reserved = new Map<string, number>();
  /** Subtree scalar quantities offered or allocated, unreserved part. */
  readonly allocatedUnreserved = new Map<string, number>();
  /** Subtree scalar quantities offered or allocated, reserved part. */
  readonly allocatedReserved = new Map<string, number>();
  quota: Quota = defaultQuota;

  constructor(readonly role: string) {}

  /** Quota consumption: reservations plus unreserved allocations (spec/core.md 4.8). */
  quotaConsumed(): Quantities {
    return plus(this.reserved, this.allocatedUnreserved);
  }

  isEmpty(): boolean {
    return (
      this.frameworks.size === 0 &&
      this.children.size === 0 &&
      isEmpty(this.reserved) &&
      isEmpty(this.allocatedUnreserved) &&
      isEmpty(this.allocatedReserved) &&
      isDefaultQuota(this.quota)
    );
  }
}

/** The parent of a role ("a/b" for "a/b/c"), undefined for a top-level role. */
function parentRole(role: string): string | undefined {
  const slash = role.lastIndexOf('/');
  return slash < 0 ? undefined : role.slice(0, slash);
}

export class RoleTree {
  readonly nodes = new Map<string, RoleNode>();

  get(role: string): RoleNode | undefined {
    return this.nodes.get(role);
  }

  /** Top-level roles (the only ones that can hold quota). */
  topLevel(): RoleNode[] {
    const out: RoleNode[] = [];
    for (const node of this.nodes.values()) if (!node.role.includes('/')) out.push(node);
    return out;
  }

  private ensure(role: string): RoleNode {
    let node = this.nodes.get(role);
    if (node !== undefined) return node;
    node = new RoleNode(role);
    this.nodes.set(role, node);
    const parent = roleAncestors(role)[0];
    if (parent !== undefined) this.ensure(parent).children.add(role);
    return node;
  }

  private prune(role: string): void {
    let current: string | undefined = role;
    while (current !== undefined) {
      const node = this.nodes.get(current);
      if (node === undefined || !node.isEmpty()) return;
      this.nodes.delete(current);
      const parent: string | undefined = roleAncestors(current)[0];
      if (parent !== undefined) this.nodes.get(parent)?.children.delete(current);
      current = parent;
    }
  }

  /** Walks `role` and its ancestors. */
  private forPath(role: string, visit: (node: RoleNode) => void): void {
    visit(this.ensure(role));
    for (const ancestor of roleAncestors(role)) visit(this.ensure(ancestor));
  }

  trackFramework(role: string, frameworkId: string): void {
    this.ensure(role).frameworks.add(frameworkId);
  }

  untrackFramework(role: string, frameworkId: string): void {
    this.nodes.get(role)?.frameworks.delete(frameworkId);
    this.prune(role);
  }

  /** Reservations on an agent's total resources, by reservation role. */
  trackReservations(total: Resources, sign: 1 | -1): void {
    for (const [role, reserved] of total.reservations()) {
      const quantities = scalarQuantities(reserved);
      if (isEmpty(quantities)) continue;
      this.forPath(role, (node) => addInto(node.reserved, quantities, sign));
      if (sign === -1) this.prune(role);
    }
  }

  /** Offered or allocated resources (each carries allocation_info.role). */
  trackAllocated(resources: Resources, sign: 1 | -1): void {
    for (const [role, allocated] of resources.allocations()) {
      // This runs for every offer the allocator makes: the split is cached per collection.
      const { unreserved, reserved } = reservationSplitScalars(allocated);
      for (let current: string | undefined = role; current !== undefined; current = parentRole(current)) {
        const node = this.ensure(current);
        addInto(node.allocatedUnreserved, unreserved, sign);
        addInto(node.allocatedReserved, reserved, sign);
      }
      if (sign === -1) this.prune(role);
    }
  }

  setQuota(role: string, quota: Quota): void {
    this.ensure(role).quota = quota;
    this.prune(role);
  }

  quota(role: string): Quota {
    return this.nodes.get(role)?.quota ?? defaultQuota;
  }
}
