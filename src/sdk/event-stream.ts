/**
 * From the bytes of a SUBSCRIBE response to scheduler events: RecordIO
 * framing (spec 1.3), then one JSON-encoded Event per record. HTTP chunk
 * boundaries mean nothing here (intermediaries may re-chunk), so the decoder
 * accepts records split across chunks and several records in one chunk.
 */
import { RecordIoDecoder } from '../lib/recordio.js';
import type { SchedulerEvent } from '../protocol/scheduler.js';
import { StreamError } from './errors.js';

/** The envelope every event of the Mesos streaming APIs has. */
export interface TypedEvent {
  readonly type: string;
}

/**
 * `E` is the event union of the stream read (scheduler events by default,
 * executor events for the executor API); only the envelope is checked.
 */
export class EventDecoder<E extends TypedEvent = SchedulerEvent> {
  private readonly records = new RecordIoDecoder();

  /** The events completed by this chunk, in order. Throws StreamError on bad framing or a record that is not an event. */
  decode(chunk: Uint8Array): E[] {
    let records: string[];
    try {
      records = this.records.decode(chunk);
    } catch (error) {
      throw new StreamError((error as Error).message, { cause: error });
    }
    return records.map((record) => parseEvent<E>(record));
  }
}

/**
 * Parses one record. Only the envelope is checked (an object with a string
 * `type`): an event type this SDK does not know is passed on, not rejected, so
 * a newer master does not break an older framework.
 */
export function parseEvent<E extends TypedEvent = SchedulerEvent>(record: string): E {
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
  return value as E;
}

/** Where decoded events go. `stopped` lets the consumer end reading early (after close or an ERROR event). */
export interface EventSink<E extends TypedEvent = SchedulerEvent> {
  event(event: E): void;
  stopped(): boolean;
}

/**
 * Reads `body` to its end, handing each event to `sink` in order. Resolves
 * when the body ends or the sink stops; rejects on a network or decoding error.
 */
export async function readEvents<E extends TypedEvent = SchedulerEvent>(body: AsyncIterable<Uint8Array>, sink: EventSink<E>): Promise<void> {
  const decoder = new EventDecoder<E>();
  for await (const chunk of body) {
    if (sink.stopped()) return;
    for (const event of decoder.decode(chunk)) {
      if (sink.stopped()) return;
      sink.event(event);
    }
  }
}
