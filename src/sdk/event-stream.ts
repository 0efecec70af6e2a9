/**
 * From the bytes of a SUBSCRIBE response to scheduler events: RecordIO
 * framing (spec 1.3), then one JSON-encoded Event per record. HTTP chunk
 * boundaries mean nothing here (intermediaries may re-chunk), so the decoder
 * accepts records split across chunks and several records in one chunk.
 */
import { RecordIoDecoder } from '../lib/recordio.js';
import type { SchedulerEvent } from '../protocol/scheduler.js';
import { StreamError } from './errors.js';

export class EventDecoder {
  private readonly records = new RecordIoDecoder();

  /** The events completed by this chunk, in order. Throws StreamError on bad framing or a record that is not an event. */
  decode(chunk: Uint8Array): SchedulerEvent[] {
    let records: string[];
    try {
      records = this.records.decode(chunk);
    } catch (error) {
      throw new StreamError((error as Error).message, { cause: error });
    }
    return records.map(parseEvent);
  }
}

/**
 * Parses one record. Only the envelope is checked (an object with a string
 * `type`): an event type this SDK does not know is passed on, not rejected, so
 * a newer master does not break an older framework.
 */
export function parseEvent(record: string): SchedulerEvent {
  let value: unknown;
  try {
    value = JSON.parse(record);
  } catch (error) {
    throw new StreamError(`event record is not JSON: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new StreamError(`event record is not a JSON object: ${record.slice(0, 200)}`);
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') throw new StreamError(`event record has no string 'type': ${record.slice(0, 200)}`);
  return value as SchedulerEvent;
}

/** Where decoded events go. `stopped` lets the consumer end reading early (after close or an ERROR event). */
export interface EventSink {
  event(event: SchedulerEvent): void;
  stopped(): boolean;
}

/**
 * Reads `body` to its end, handing each event to `sink` in order. Resolves
 * when the body ends or the sink stops; rejects on a network or decoding error.
 */
export async function readEvents(body: AsyncIterable<Uint8Array>, sink: EventSink): Promise<void> {
  const decoder = new EventDecoder();
  for await (const chunk of body) {
    if (sink.stopped()) return;
    for (const event of decoder.decode(chunk)) {
      if (sink.stopped()) return;
      sink.event(event);
    }
  }
}
