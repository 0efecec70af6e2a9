/**
 * A simulated scheduler: subscribes through the core's SUBSCRIBE event, keeps
 * every event it was sent, and makes calls with its stream id, as an HTTP
 * scheduler would.
 */
import type { FrameworkInfo } from '../protocol/mesos.js';
import type { SchedulerCall, SchedulerEvent } from '../protocol/scheduler.js';
import type { WireOffer } from '../protocol/outputs.js';
import type { Reply } from '../master/core/events.js';
import type { Harness } from './harness.js';

export interface SimFrameworkOptions {
  readonly name?: string;
  readonly roles?: readonly string[];
  readonly capabilities?: readonly string[];
  readonly info?: Partial<FrameworkInfo>;
  readonly suppressedRoles?: readonly string[];
  /** Keep every event in `events` (tests) or only track offers (benchmarks, which would otherwise hold millions). */
  readonly recordEvents?: boolean;
}

export class SimFramework {
  readonly events: SchedulerEvent[] = [];
  id: string | undefined;
  connectionId: string | undefined;
  streamId: string | undefined;
  /** Offers received and not yet rescinded, declined or accepted by this simulation. */
  readonly offers = new Map<string, WireOffer>();
  closed = false;

  constructor(
    private readonly harness: Harness,
    private readonly options: SimFrameworkOptions,
  ) {}

  info(): FrameworkInfo {
    const roles = this.options.roles ?? ['*'];
    const capabilities = [...(this.options.capabilities ?? ['MULTI_ROLE'])];
    const multiRole = capabilities.includes('MULTI_ROLE');
    return {
      user: 'root',
      name: this.options.name ?? 'sim',
      ...(multiRole ? { roles: [...roles] } : { role: roles[0] ?? '*' }),
      capabilities: capabilities.map((type) => ({ type: type as never })),
      ...(this.id !== undefined ? { id: { value: this.id } } : {}),
      ...this.options.info,
    } as FrameworkInfo;
  }

  /** SUBSCRIBE on a new connection (also how a failed-over instance takes over). */
  subscribe(): Reply | undefined {
    const connectionId = this.harness.newId('sim-c');
    this.connectionId = connectionId;
    this.closed = false;
    this.harness.attachFramework(connectionId, this);
    const reply = this.harness.step({
      type: 'subscribe',
      connectionId,
      subscribe: { framework_info: this.info(), ...(this.options.suppressedRoles ? { suppressed_roles: [...this.options.suppressedRoles] } : {}) },
    });
    this.streamId = reply?.streamId;
    return reply;
  }

  receive(connectionId: string, event: SchedulerEvent): void {
    if (connectionId !== this.connectionId) return;
    if (this.options.recordEvents !== false || event.type === 'SUBSCRIBED') this.events.push(event);
    if (event.type === 'SUBSCRIBED') this.id = event.subscribed.framework_id.value;
    if (event.type === 'OFFERS') for (const offer of event.offers.offers) this.offers.set(offer.id.value, offer);
    if (event.type === 'RESCIND') this.offers.delete(event.rescind.offer_id.value);
  }

  closedBy(connectionId: string): void {
    if (connectionId === this.connectionId) this.closed = true;
  }

  /** The scheduler's connection drops (the core sees the stream close). */
  disconnect(): void {
    if (this.connectionId === undefined) return;
    this.harness.step({ type: 'connection_closed', connectionId: this.connectionId });
    this.closed = true;
  }

  call(call: Omit<SchedulerCall, 'framework_id'>): Reply | undefined {
    return this.harness.step({
      type: 'scheduler_call',
      call: { ...call, framework_id: { value: this.id ?? '' } } as SchedulerCall,
      streamId: this.streamId,
    });
  }

  decline(offerIds: readonly string[], refuseSeconds?: number): Reply | undefined {
    for (const id of offerIds) this.offers.delete(id);
    return this.call({
      type: 'DECLINE',
      decline: { offer_ids: offerIds.map((value) => ({ value })), ...(refuseSeconds !== undefined ? { filters: { refuse_seconds: refuseSeconds } } : {}) },
    });
  }

  declineAll(refuseSeconds?: number): Reply | undefined {
    return this.decline([...this.offers.keys()], refuseSeconds);
  }

  eventsOf<T extends SchedulerEvent['type']>(type: T): Extract<SchedulerEvent, { type: T }>[] {
    return this.events.filter((event): event is Extract<SchedulerEvent, { type: T }> => event.type === type);
  }

  /** Outstanding offers as this simulation knows them. */
  currentOffers(): WireOffer[] {
    return [...this.offers.values()];
  }
}
