/**
 * Offer validation of ACCEPT (spec/storage.md 2.0.1, Mesos' validation::offer):
 * the first failure wins and invalidates the whole call.
 */
import type { StepContext } from '../context.js';
import type { Framework, Offer } from '../state.js';

export function validateOffers(ctx: StepContext, framework: Framework, offerIds: readonly string[]): string | undefined {
  if (offerIds.length === 0) return 'No offers specified';
  const seen = new Set<string>();
  let first: Offer | undefined;
  for (const id of offerIds) {
    if (seen.has(id)) return `Duplicate offer ${id} in offer list`;
    seen.add(id);
    const offer = ctx.state.offers.get(id);
    if (offer === undefined) return `Offer ${id} is no longer valid`;
    if (offer.frameworkId !== framework.id) {
      return `Offer ${id} has invalid framework ${offer.frameworkId} while framework ${framework.id} is expected`;
    }
    first ??= offer;
    if (offer.role !== first.role) {
      return `Aggregated offers must be allocated to the same role. Offer ${id} uses role ${offer.role} but another is using role ${first.role}`;
    }
    if (offer.agentId !== first.agentId) {
      return `Aggregated offers must belong to one single agent. Offer ${id} uses agent ${offer.agentId} and offer ${first.id} uses agent ${first.agentId}`;
    }
  }
  return undefined;
}
