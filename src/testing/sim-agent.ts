/**
 * A simulated agent: links with a registration (or a re-registration that
 * reports tasks), answers every PING with a PONG unless paused, and records
 * what the master sent it.
 */
import { parseResourceText, toCanonicalJson } from '../resources/index.js';
import type { AgentToMasterMessage, LinkRequest, MasterToAgentRecord, ReportedTask } from '../protocol/internal.js';
import type { Reply } from '../master/core/events.js';
import type { Harness } from './harness.js';

export interface SimAgentOptions {
  readonly resources?: string;
  readonly hostname?: string;
  readonly port?: number;
  readonly capabilities?: readonly string[];
  readonly attributes?: LinkRequest['agent_info']['attributes'];
  /** Re-register with this id (as after a master restart). */
  readonly agentId?: string;
  readonly tasks?: readonly ReportedTask[];
  readonly frameworks?: LinkRequest['frameworks'];
}

let simAgentNumber = 0;

export class SimAgent {
  id: string | undefined;
  linkId: string | undefined;
  readonly received: MasterToAgentRecord[] = [];
  /** A paused agent does not answer pings (as under SIGSTOP). */
  paused = false;
  linked = false;
  private epoch = 0;
  private seq = 0;
  private readonly port: number;

  constructor(
    private readonly harness: Harness,
    private readonly options: SimAgentOptions,
  ) {
    this.id = options.agentId;
    this.port = options.port ?? 5051 + simAgentNumber++;
  }

  link(): Reply | undefined {
    const resources = parseResourceText(this.options.resources ?? 'cpus:4;mem:4096;disk:4096;ports:[31000-32000]', '*');
    if (!resources.ok) throw new Error(resources.error);
    const linkId = this.harness.newId('sim-l');
    this.linkId = linkId;
    this.epoch = Math.max(this.epoch + 1, Math.floor(this.harness.clock.nowMs()));
    this.seq = 0;
    this.harness.attachAgent(linkId, this);
    const request = {
      protocol_version: 1,
      epoch: this.epoch,
      ...(this.id !== undefined ? { agent_id: { value: this.id } } : {}),
      agent_info: {
        hostname: this.options.hostname ?? `agent${this.port}.sim`,
        port: this.port,
        ip: '127.0.0.1',
        resources: resources.value.map((r) => toCanonicalJson(r)),
        ...(this.options.attributes !== undefined ? { attributes: this.options.attributes } : {}),
      },
      version: '1.11.0',
      capabilities: [...(this.options.capabilities ?? ['MULTI_ROLE', 'HIERARCHICAL_ROLE', 'RESERVATION_REFINEMENT'])],
      ...(this.options.tasks !== undefined ? { tasks: [...this.options.tasks] } : {}),
      ...(this.options.frameworks !== undefined ? { frameworks: [...this.options.frameworks] } : {}),
    } as LinkRequest;
    const reply = this.harness.step({ type: 'agent_link', linkId, request });
    this.linked = reply?.status === 200;
    return reply;
  }

  receive(linkId: string, record: MasterToAgentRecord): void {
    if (linkId !== this.linkId) return;
    this.received.push(record);
    if (record.type === 'REGISTERED') this.id = record.registered.agent_id.value;
    if (record.type === 'PING' && !this.paused) this.send({ type: 'PONG' });
  }

  closedBy(linkId: string): void {
    if (linkId === this.linkId) this.linked = false;
  }

  send(message: AgentToMasterMessage): Reply | undefined {
    return this.harness.step({
      type: 'agent_message',
      envelope: { agent_id: { value: this.id ?? '' }, epoch: this.epoch, seq: ++this.seq, message },
    });
  }

  /** The link breaks (process killed, network gone). */
  disconnect(): void {
    if (this.linkId === undefined) return;
    this.harness.step({ type: 'agent_link_closed', linkId: this.linkId });
    this.linked = false;
  }
}
