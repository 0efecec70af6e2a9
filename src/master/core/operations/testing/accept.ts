/**
 * A miniature of the ACCEPT pipeline (spec 2.0.4-2.0.6) for tests of this
 * module: inject the offers' role, validate against the agent as the master
 * sees it, apply to what remains, and update the agent's total as the master
 * would (spec 2.9), so that a later operation in the same ACCEPT sees the
 * volumes and reservations an earlier one made. Authorization is skipped.
 */
import { needsCheckpointing, Resources } from '../../../../resources/index.js';
import { allocateStorageOperation } from '../allocation.js';
import { applyToRemaining } from '../apply.js';
import { acceptErrorMessage } from '../messages.js';
import { validateStorageOperation } from '../validate.js';
import type { AgentFacts, OperationActor, StorageOperation } from '../types.js';

export interface AcceptRun {
  readonly remaining: Resources;
  /** GROW/SHRINK results, withheld from `remaining`. */
  readonly resized: Resources;
  /** The agent's total after the operations, unallocated. */
  readonly total: Resources;
  /** Per operation: undefined when it applied, else the drop message. */
  readonly errors: readonly (string | undefined)[];
}

export interface AcceptInput {
  /** The agent's total, unallocated. */
  readonly total: Resources;
  /** What the accepted offers hold (allocated to `role`); the whole total allocated by default. */
  readonly offered?: Resources;
  /** The offers' role; undefined for the operator path (no allocation, `offered` is the agent's available resources). */
  readonly role: string | undefined;
  readonly actor: OperationActor;
  readonly agent: Omit<AgentFacts, 'checkpointed'>;
}

export function runAccept(input: AcceptInput, operations: readonly StorageOperation[]): AcceptRun {
  let total = input.total;
  const role = input.role;
  let remaining = input.offered ?? (role === undefined ? input.total : input.total.allocate(role));
  let resized = Resources.empty();
  const errors: (string | undefined)[] = [];
  for (const operation of operations) {
    const agent: AgentFacts = { ...input.agent, checkpointed: total.filter(needsCheckpointing) };
    const allocated = role === undefined ? operation : allocateStorageOperation(operation, role);
    const outcome = validateStorageOperation(allocated, input.actor, agent);
    const applied = outcome.ok ? applyToRemaining(remaining, outcome.value) : outcome;
    if (!applied.ok) {
      errors.push(acceptErrorMessage(applied.error, agent));
      continue;
    }
    errors.push(undefined);
    remaining = applied.value.remaining;
    resized = resized.plus(applied.value.resized);
    if (outcome.ok) {
      for (const { consumed, converted } of outcome.value.conversions) total = total.minus(consumed.unallocate()).plus(converted.unallocate());
    }
  }
  return { remaining, resized, total, errors };
}
