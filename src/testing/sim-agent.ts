/**
 * A simulated agent: links with a registration (or a re-registration that
 * reports tasks), answers every PING with a PONG unless paused, and records
 * what the master sent it. Like a real agent it keeps the checkpointed
 * resources and resource version of each APPLY_OPERATION and
 * CHECKPOINT_RESOURCES it is sent, and reports them when it links again; it
 * reports on operations only when a test tells it to (`reportOperation`).
 */
import { fromWireList, needsCheckpointing, parseResourceText, Resources, toCanonicalJson, type WireResourceInput } from '../resources/index.js';
import type {
  AgentToMasterMessage,
  LinkRequest,
  MasterToAgentMessage,
  MasterToAgentRecord,
  OperationStatusMessage,
  ReportedTask,
} from '../protocol/internal.js';
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
  /** Dynamic reservations and persistent volumes the agent reports it has (as after a master fail-over). */
  readonly checkpointedResources?: LinkRequest['checkpointed_resources'];
  /** The resource version the agent reports with `checkpointedResources`. */
  readonly resourceVersion?: string;
  /** Operation status updates not acknowledged yet, reported in the link request. */
  readonly operationUpdates?: LinkRequest['operation_updates'];
}

/** Agent capabilities of a simulated agent unless told otherwise: everything berth's storage operations may ask for. */
export const simAgentCapabilities: readonly string[] = [
  'MULTI_ROLE',
  'HIERARCHICAL_ROLE',
  'RESERVATION_REFINEMENT',
  'RESIZE_VOLUME',
  'AGENT_OPERATION_FEEDBACK',
];

type ApplyOperation = Extract<MasterToAgentMessage, { type: 'APPLY_OPERATION' }>['apply_operation'];

export interface OperationReport {
  readonly state?: OperationStatusMessage['state'];
  readonly message?: string;
  /** Base64 of 16 bytes; a fresh one unless given. */
  readonly statusUuid?: string;
  /** The agent's total afterwards (OPERATION_FAILED: what the master adopts); the declared resources unless given. */
  readonly totalResources?: OperationStatusMessage['total_resources'];
  readonly resourceVersion?: string;
}

let simAgentNumber = 0;

function resourcesOf(wire: readonly unknown[]): Resources {
  const parsed = fromWireList(wire as readonly WireResourceInput[]);
  if (!parsed.ok) throw new Error(parsed.error);
  return Resources.of(parsed.value);
}

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
  private statusUuidNumber = 0;
  /** Reported in the next link request; updated by APPLY_OPERATION and CHECKPOINT_RESOURCES. */
  checkpointedResources: LinkRequest['checkpointed_resources'];
  resourceVersion: string | undefined;
  operationUpdates: LinkRequest['operation_updates'];
  private readonly checkpointedHistory: NonNullable<LinkRequest['checkpointed_resources']>[] = [];

  constructor(
    private readonly harness: Harness,
    private readonly options: SimAgentOptions,
  ) {
    this.id = options.agentId;
    this.port = options.port ?? 5051 + simAgentNumber++;
    this.checkpointedResources = options.checkpointedResources;
    this.resourceVersion = options.resourceVersion;
    this.operationUpdates = options.operationUpdates;
  }

  link(): Reply | undefined {
    const resources = this.declaredResources();
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
        resources,
        ...(this.options.attributes !== undefined ? { attributes: this.options.attributes } : {}),
      },
      version: '1.11.0',
      capabilities: [...(this.options.capabilities ?? simAgentCapabilities)],
      ...(this.options.tasks !== undefined ? { tasks: [...this.options.tasks] } : {}),
      ...(this.options.frameworks !== undefined ? { frameworks: [...this.options.frameworks] } : {}),
      ...(this.checkpointedResources !== undefined ? { checkpointed_resources: [...this.checkpointedResources] } : {}),
      ...(this.resourceVersion !== undefined ? { resource_version: this.resourceVersion } : {}),
      ...(this.operationUpdates !== undefined ? { operation_updates: [...this.operationUpdates] } : {}),
    } as LinkRequest;
    const reply = this.harness.step({ type: 'agent_link', linkId, request });
    this.linked = reply?.status === 200;
    return reply;
  }

  receive(linkId: string, record: MasterToAgentRecord): void {
    if (linkId !== this.linkId) return;
    this.received.push(record);
    if (record.type === 'REGISTERED') this.id = record.registered.agent_id.value;
    if (record.type === 'APPLY_OPERATION') this.apply(record.apply_operation);
    if (record.type === 'CHECKPOINT_RESOURCES') this.checkpoint(record.checkpoint_resources);
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

  /** The checkpointed resources after each APPLY_OPERATION received, oldest first, as the agent would journal them. */
  checkpointedAfterOperations(): NonNullable<LinkRequest['checkpointed_resources']>[] {
    return [...this.checkpointedHistory];
  }

  /** The APPLY_OPERATION messages received, oldest first. */
  appliedOperations(): ApplyOperation[] {
    return this.received.flatMap((record) => (record.type === 'APPLY_OPERATION' ? [record.apply_operation] : []));
  }

  /** The status update the agent would send on `operation` (OPERATION_FINISHED unless told otherwise). */
  operationStatus(operation: ApplyOperation, report: OperationReport = {}): OperationStatusMessage {
    return {
      operation_uuid: operation.operation_uuid,
      ...(operation.framework_id !== undefined ? { framework_id: operation.framework_id } : {}),
      ...(operation.operation_id !== undefined ? { operation_id: operation.operation_id } : {}),
      state: report.state ?? 'OPERATION_FINISHED',
      ...(report.message !== undefined ? { message: report.message } : {}),
      status_uuid: report.statusUuid ?? Buffer.alloc(16, ++this.statusUuidNumber).toString('base64'),
      resource_version: report.resourceVersion ?? operation.resource_version,
      total_resources: [...(report.totalResources ?? this.declaredResources())],
    } as OperationStatusMessage;
  }

  /** Sends OPERATION_STATUS on `operation`; returns the update sent. */
  reportOperation(operation: ApplyOperation, report: OperationReport = {}): OperationStatusMessage {
    const status = this.operationStatus(operation, report);
    this.send({ type: 'OPERATION_STATUS', operation_status: status });
    return status;
  }

  /** The link breaks (process killed, network gone). */
  disconnect(): void {
    if (this.linkId === undefined) return;
    this.harness.step({ type: 'agent_link_closed', linkId: this.linkId });
    this.linked = false;
  }

  private declaredResources(): LinkRequest['agent_info']['resources'] {
    const resources = parseResourceText(this.options.resources ?? 'cpus:4;mem:4096;disk:4096;ports:[31000-32000]', '*');
    if (!resources.ok) throw new Error(resources.error);
    return resources.value.map((r) => toCanonicalJson(r)) as LinkRequest['agent_info']['resources'];
  }

  private checkpoint(sent: { resource_version: string; checkpointed_resources: readonly unknown[] }): void {
    this.checkpointedResources = [...sent.checkpointed_resources] as LinkRequest['checkpointed_resources'];
    this.resourceVersion = sent.resource_version;
  }

  /** An operation's conversions change the checkpointed resources by their checkpointed parts (or it carries the whole set). */
  private apply(operation: ApplyOperation): void {
    if (operation.checkpointed_resources !== undefined) {
      this.checkpoint({ resource_version: operation.resource_version, checkpointed_resources: operation.checkpointed_resources });
    } else {
      let checkpointed = resourcesOf(this.checkpointedResources ?? []);
      for (const { consumed, converted } of operation.conversions ?? []) {
        checkpointed = checkpointed.minus(resourcesOf(consumed).filter(needsCheckpointing)).plus(resourcesOf(converted).filter(needsCheckpointing));
      }
      this.checkpoint({ resource_version: operation.resource_version, checkpointed_resources: checkpointed.toList().map((r) => toCanonicalJson(r)) });
    }
    this.checkpointedHistory.push([...(this.checkpointedResources ?? [])]);
  }
}
