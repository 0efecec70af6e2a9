/** What goes into the agent core and what comes out. */
import type { AgentToMasterMessage, LinkRequest, MasterToAgentRecord } from '../../protocol/internal.js';

export type AgentEvent =
  | { readonly type: 'tick' }
  /** A record arrived on the link with this epoch. */
  | { readonly type: 'link_record'; readonly epoch: number; readonly record: MasterToAgentRecord }
  /** The link request failed (network error, or a refusal with a status). */
  | { readonly type: 'link_failed'; readonly epoch: number; readonly status?: number; readonly message: string }
  /** The link stream ended or broke. */
  | { readonly type: 'link_closed'; readonly epoch: number }
  /** The master refused a message (409): this link is no good, link again. */
  | { readonly type: 'message_refused'; readonly epoch: number; readonly message: string };

export type AgentEffect =
  | { readonly type: 'open_link'; readonly epoch: number; readonly request: LinkRequest }
  | { readonly type: 'close_link'; readonly epoch: number }
  | { readonly type: 'send_message'; readonly epoch: number; readonly seq: number; readonly message: AgentToMasterMessage }
  | { readonly type: 'persist_agent_id'; readonly agentId: string }
  | { readonly type: 'shutdown'; readonly message: string }
  | { readonly type: 'log'; readonly level: 'debug' | 'info' | 'warn' | 'error'; readonly message: string };
