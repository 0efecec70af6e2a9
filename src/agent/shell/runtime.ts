/**
 * The agent's imperative shell around its core: performs the effects (link,
 * messages, persistence) and ticks the core at its next deadline.
 */
import type { Logger } from 'pino';
import { Agent as HttpAgent } from 'undici';
import type { Clock } from '../../lib/clock.js';
import type { AgentCore } from '../core/agent-core.js';
import type { AgentEffect, AgentEvent } from '../core/events.js';
import { MasterLink } from './master-link.js';
import { MessageSender } from './message-sender.js';
import { persistAgentId } from './meta.js';

export class AgentRuntime {
  private readonly dispatcher = new HttpAgent({ keepAliveTimeout: 30_000, connections: 8 });
  private readonly link: MasterLink;
  private readonly sender: MessageSender;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private shutdownRequested: ((message: string) => void) | undefined;

  constructor(
    readonly core: AgentCore,
    readonly clock: Clock,
    readonly logger: Logger,
    readonly masterUrl: string,
    readonly workDir: string,
  ) {
    this.link = new MasterLink(masterUrl, this.dispatcher, {
      onRecord: (epoch, record) => this.dispatch({ type: 'link_record', epoch, record }),
      onFailed: (epoch, status, message) =>
        this.dispatch({ type: 'link_failed', epoch, message, ...(status !== undefined ? { status } : {}) }),
      onClosed: (epoch) => this.dispatch({ type: 'link_closed', epoch }),
    });
    this.sender = new MessageSender(
      masterUrl,
      this.dispatcher,
      () => this.core.state.agentId,
      (epoch, message) => this.dispatch({ type: 'message_refused', epoch, message }),
      (message) => this.logger.error(message),
    );
    this.dispatch({ type: 'tick' });
  }

  /** Called when the master tells this agent to shut down. */
  onShutdown(handler: (message: string) => void): void {
    this.shutdownRequested = handler;
  }

  dispatch(event: AgentEvent): void {
    if (this.stopped) return;
    const effects = this.core.step(event, this.clock.nowMs());
    for (const effect of effects) this.perform(effect);
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.link.close();
    this.sender.stop();
    void this.dispatcher.close();
  }

  private perform(effect: AgentEffect): void {
    switch (effect.type) {
      case 'open_link':
        this.sender.dropBefore(effect.epoch);
        this.link.open(effect.epoch, effect.request);
        break;
      case 'close_link':
        this.link.close(effect.epoch);
        break;
      case 'send_message':
        this.sender.enqueue(effect.epoch, effect.seq, effect.message);
        break;
      case 'persist_agent_id':
        persistAgentId(this.workDir, effect.agentId, this.core.state.config.info);
        break;
      case 'shutdown':
        this.logger.warn(`The master asked this agent to shut down: ${effect.message}`);
        this.shutdownRequested?.(effect.message);
        break;
      case 'log':
        this.logger[effect.level](effect.message);
        break;
    }
  }

  private arm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const deadline = this.core.nextDeadlineMs();
    if (deadline === undefined || this.stopped) return;
    this.timer = setTimeout(() => this.dispatch({ type: 'tick' }), Math.max(0, deadline - this.clock.nowMs()));
  }
}
