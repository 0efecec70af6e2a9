/**
 * Scheduler-side helpers for the disk source tests: operations with ids
 * (operation feedback, spec/storage.md 2.0.3, 2.0.7), waiting for an offer
 * that holds what a test wants, and reading operation status updates.
 *
 * As in helpers.ts, nothing here hides an assertion beyond the acknowledgement
 * being accepted: helpers build, send, fetch and wait; the tests assert.
 */
import { expect } from 'vitest';
import type { OfferOperation } from '../../src/protocol/mesos.js';
import type { WireOffer, WireOperationStatus } from '../../src/protocol/outputs.js';
import type { SchedulerEvent } from '../../src/protocol/scheduler.js';
import type { SchedulerSession } from '../../src/sdk/index.js';

/** An offer operation of `type` with its payload; `id` asks for operation feedback. */
export function operation(type: string, payload: Record<string, unknown>, id?: string): OfferOperation {
  return { type, ...(id !== undefined ? { id: { value: id } } : {}), ...payload } as unknown as OfferOperation;
}

/** The next offer that `holds` accepts (others are declined at once, refuse_seconds 0). */
export async function offerWith(session: SchedulerSession, holds: (offer: WireOffer) => boolean, timeoutMs = 20_000): Promise<WireOffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = await session.nextEvent('OFFERS', Math.max(1, deadline - Date.now()));
    const wanted = event.offers.offers.find(holds);
    const others = event.offers.offers.filter((offer) => offer !== wanted).map((offer) => offer.id);
    if (others.length > 0) await session.decline(others, { refuse_seconds: 0 });
    if (wanted !== undefined) return wanted;
  }
}

function isOperationUpdate(event: SchedulerEvent): event is Extract<SchedulerEvent, { type: 'UPDATE_OPERATION_STATUS' }> {
  return event.type === 'UPDATE_OPERATION_STATUS';
}

/** The next operation status update, acknowledged when it carries a uuid. */
export async function nextOperationStatus(session: SchedulerSession): Promise<WireOperationStatus> {
  const event = await session.nextEvent(isOperationUpdate, 15_000);
  const status = event.update_operation_status.status;
  if (status.uuid !== undefined && status.agent_id !== undefined && status.operation_id !== undefined) {
    const answer = await session.acknowledgeOperationStatus(status.agent_id, status.operation_id, status.uuid.value);
    expect(answer.status).toBe(202);
  }
  return status;
}

/** The next `count` operation updates as [operation id, state, message unless finished]. */
export async function operationStates(session: SchedulerSession, count: number): Promise<[string | undefined, string, string | undefined][]> {
  const states: [string | undefined, string, string | undefined][] = [];
  for (let index = 0; index < count; index++) {
    const status = await nextOperationStatus(session);
    states.push([status.operation_id?.value, status.state, status.state === 'OPERATION_FINISHED' ? undefined : status.message]);
  }
  return states;
}
