/**
 * The client tree shared by the sorters. A client `a` that also has children
 * (`a/b`) becomes an internal node with a virtual leaf `.` holding `a`'s own
 * allocation, as in Mesos, so that `a` competes with its sub-roles.
 *
 * Invariant: in every `children` array, active leaves and internal nodes come
 * first and inactive leaves last, so that sorting and listing can stop at the
 * first inactive leaf.
 */
import { assert } from '../../../lib/assert.js';
import { addQuantities, type ScalarQuantities } from './sorter.js';

export type NodeKind = 'internal' | 'active' | 'inactive';

export class SorterNode {
  kind: NodeKind;
  readonly children: SorterNode[] = [];
  /** Scalar allocation of this subtree (fixed point). */
  readonly allocation = new Map<string, number>();
  /** Times this node was chosen for an allocation: breaks ties between equal shares. */
  count = 0;
  share = 0;

  constructor(
    readonly name: string,
    kind: NodeKind,
    public parent: SorterNode | undefined,
  ) {
    this.kind = kind;
  }

  /** The client path: a virtual leaf stands for its parent's path. */
  get path(): string {
    if (this.parent === undefined) return '';
    if (this.name === '.') return this.parent.path;
    return this.parent.parent === undefined ? this.name : `${this.parent.path}/${this.name}`;
  }

  isLeaf(): boolean {
    return this.kind !== 'internal';
  }

  addChild(child: SorterNode): void {
    // Inactive leaves go last, everything else first (sorted later).
    if (child.kind === 'inactive') this.children.push(child);
    else this.children.unshift(child);
    child.parent = this;
  }

  removeChild(child: SorterNode): void {
    const index = this.children.indexOf(child);
    assert(index >= 0, `sorter: ${child.path} is not a child of ${this.path}`);
    this.children.splice(index, 1);
  }

  clone(parent: SorterNode | undefined, leaves: Map<string, SorterNode>): SorterNode {
    const copy = new SorterNode(this.name, this.kind, parent);
    for (const [name, amount] of this.allocation) copy.allocation.set(name, amount);
    copy.count = this.count;
    copy.share = this.share;
    for (const child of this.children) copy.children.push(child.clone(copy, leaves));
    if (this.isLeaf() && parent !== undefined) leaves.set(copy.path, copy);
    return copy;
  }
}

/** The tree with its client index; the sorters add their ordering policy. */
export class SorterTree {
  root = new SorterNode('', 'internal', undefined);
  leaves = new Map<string, SorterNode>();

  find(client: string): SorterNode {
    const node = this.leaves.get(client);
    assert(node !== undefined, `sorter: unknown client '${client}'`);
    return node;
  }

  /** Like `mkdir -p`: walks the path, turning a leaf on the way into internal + `.`. */
  add(client: string): SorterNode {
    assert(!this.leaves.has(client), `sorter: client '${client}' added twice`);
    const tokens = client.split('/');
    let current = this.root;
    let index = 0;
    for (;;) {
      if (index === tokens.length) {
        const virtual = new SorterNode('.', 'inactive', current);
        current.addChild(virtual);
        current = virtual;
        break;
      }
      if (current.isLeaf() && current !== this.root) {
        this.splitLeaf(current);
        break;
      }
      const token = tokens[index] as string;
      const child = current.children.find((c) => c.name === token);
      if (child === undefined) break;
      current = child;
      index++;
    }
    for (; index < tokens.length; index++) {
      const kind = index === tokens.length - 1 ? 'inactive' : 'internal';
      const child = new SorterNode(tokens[index] as string, kind, current);
      current.addChild(child);
      current = child;
    }
    assert(current.children.length === 0 && current.kind === 'inactive', `sorter: bad insertion of '${client}'`);
    this.leaves.set(client, current);
    return current;
  }

  /** A leaf that gains children becomes internal; its client moves to a virtual `.` child. */
  private splitLeaf(leaf: SorterNode): void {
    const parent = leaf.parent as SorterNode;
    const oldKind = leaf.kind;
    parent.removeChild(leaf);
    leaf.kind = 'internal';
    parent.addChild(leaf);
    const virtual = new SorterNode('.', oldKind, leaf);
    for (const [name, amount] of leaf.allocation) virtual.allocation.set(name, amount);
    virtual.count = leaf.count;
    leaf.addChild(virtual);
    this.leaves.set(virtual.path, virtual);
  }

  remove(client: string): void {
    let current = this.find(client);
    const leafAllocation = new Map(current.allocation);
    this.leaves.delete(client);
    while (current !== this.root) {
      const parent = current.parent as SorterNode;
      addQuantities(parent.allocation, leafAllocation, -1);
      if (current.children.length === 0) {
        parent.removeChild(current);
      } else if (current.children.length === 1 && current.children[0]?.name === '.') {
        // Collapse `a` + `a/.` back into the leaf `a`.
        const virtual = current.children[0];
        current.kind = virtual.kind;
        current.removeChild(virtual);
        parent.removeChild(current);
        parent.addChild(current);
        this.leaves.set(current.path, current);
      }
      current = parent;
    }
  }

  setActive(client: string, active: boolean): boolean {
    const node = this.find(client);
    const kind: NodeKind = active ? 'active' : 'inactive';
    if (node.kind === kind) return false;
    node.kind = kind;
    const parent = node.parent as SorterNode;
    parent.removeChild(node);
    parent.addChild(node);
    return true;
  }

  /** Adds (or removes) an allocation on the client and every ancestor. */
  adjust(client: string, quantities: ScalarQuantities, sign: 1 | -1): SorterNode[] {
    const path: SorterNode[] = [];
    let current: SorterNode | undefined = this.find(client);
    while (current !== undefined) {
      addQuantities(current.allocation, quantities, sign);
      if (sign === 1) current.count++;
      if (current !== this.root) path.push(current);
      current = current.parent;
    }
    return path;
  }

  /** Active leaves in pre-order; each node's children are already in order. */
  listActive(): string[] {
    const result: string[] = [];
    const visit = (node: SorterNode): void => {
      for (const child of node.children) {
        if (child.kind === 'inactive') return;
        if (child.kind === 'active') result.push(child.path);
        else visit(child);
      }
    };
    visit(this.root);
    return result;
  }

  clone(): SorterTree {
    const copy = new SorterTree();
    copy.leaves = new Map();
    copy.root = this.root.clone(undefined, copy.leaves);
    return copy;
  }
}
