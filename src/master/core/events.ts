/**
 * What goes into the master core (events) and what comes out (a reply to the
 * request that caused the event, and effects for the shell to perform).
 *
 * The shell performs effects in order: replies and stream writes as they come.
 * Connections and links are named by ids the shell assigns, so the core never
 * holds a socket.
 */
import type { RegistryOperation } from '../registry/registry.js';
import type { AgentMessageEnvelope, LinkRequest, MasterToAgentMessage } from '../../protocol/internal.js';
import type { OperatorCall } from '../../protocol/operator.js';
import type { SchedulerCall, SchedulerEvent, SubscribeCall } from '../../protocol/scheduler.js';
import type { OperatorEvent } from '../../protocol/operator.js';

export type MasterEvent =
  /** A SUBSCRIBE that passed the HTTP pipeline; its stream is `connectionId`. */
  | { readonly type: 'subscribe'; readonly connectionId: string; readonly subscribe: SubscribeCall }
  /** Any other scheduler call that passed the HTTP pipeline (spec/core.md 1.2 steps 1-8). */
  | { readonly type: 'scheduler_call'; readonly call: SchedulerCall; readonly streamId: string | undefined }
  | { readonly type: 'connection_closed'; readonly connectionId: string }
  | { readonly type: 'agent_link'; readonly linkId: string; readonly request: LinkRequest }
  | { readonly type: 'agent_message'; readonly envelope: AgentMessageEnvelope }
  | { readonly type: 'agent_link_closed'; readonly linkId: string }
  /** `principal`: the operator's, when HTTP authentication is on. */
  | { readonly type: 'operator_call'; readonly call: OperatorCall; readonly principal?: string }
  | { readonly type: 'operator_subscribe'; readonly connectionId: string; readonly principal?: string }
  /** Time passed: timers that are due fire. */
  | { readonly type: 'tick' };

export type MasterEventType = MasterEvent['type'];

export interface Reply {
  readonly status: number;
  /** Text for errors, an object for JSON bodies. */
  readonly body?: string | object;
  /** Set for a SUBSCRIBE accepted into a stream. */
  readonly streamId?: string;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type MasterEffect =
  | { readonly type: 'framework_event'; readonly connectionId: string; readonly event: SchedulerEvent }
  | { readonly type: 'framework_close'; readonly connectionId: string }
  | { readonly type: 'operator_event'; readonly connectionId: string; readonly event: OperatorEvent }
  | { readonly type: 'operator_close'; readonly connectionId: string }
  | { readonly type: 'agent_send'; readonly linkId: string; readonly seq: number; readonly message: MasterToAgentMessage }
  | { readonly type: 'agent_close'; readonly linkId: string }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: string }
  /** An allocation run happened in this step (the shell times steps that carry one). */
  | { readonly type: 'allocation_run'; readonly offers: number }
  /**
   * The step left work to settle (state.unsettledAccepts): the shell steps a
   * `tick` as soon as it has performed this step's effects. Any event settles
   * it first, so no event sees the difference.
   */
  | { readonly type: 'settle_soon' }
  /**
   * A named registry operation (src/master/registry): the shell makes it
   * durable before it performs the effects that follow, so what it changes is
   * never seen before it would survive a restart.
   */
  | { readonly type: 'registry'; readonly operation: RegistryOperation }
  /** The master cannot go on (a recovery past --recovery_agent_removal_limit): the shell logs it and exits 1. */
  | { readonly type: 'fatal'; readonly message: string };

export interface StepOutput {
  readonly reply: Reply | undefined;
  readonly effects: readonly MasterEffect[];
}
