/**
 * Method: the decoder fed by hand with byte chunks cut at every position, so
 * record boundaries and chunk boundaries disagree in every way.
 */
import { describe, expect, it } from 'vitest';
import { encodeRecord } from '../lib/recordio.js';
import { StreamError } from './errors.js';
import { EventDecoder, readEvents } from './event-stream.js';

const subscribed = { type: 'SUBSCRIBED', subscribed: { framework_id: { value: 'fw-é' }, heartbeat_interval_seconds: 15 } };
const heartbeat = { type: 'HEARTBEAT' };
const bytes = Buffer.concat([encodeRecord(JSON.stringify(subscribed)), encodeRecord(JSON.stringify(heartbeat))]);

describe('sdk: event stream: decoding', () => {
  it('decodes records split across chunks at every byte position', () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      const decoder = new EventDecoder();
      const events = [...decoder.decode(bytes.subarray(0, cut)), ...decoder.decode(bytes.subarray(cut))];
      expect(events, `cut at byte ${cut}`).toEqual([subscribed, heartbeat]);
    }
  });

  it('decodes a stream delivered one byte per chunk', () => {
    const decoder = new EventDecoder();
    const events = [...bytes].flatMap((byte) => decoder.decode(Uint8Array.of(byte)));
    expect(events).toEqual([subscribed, heartbeat]);
  });

  it('decodes several records in one chunk', () => {
    expect(new EventDecoder().decode(bytes)).toEqual([subscribed, heartbeat]);
  });

  it('rejects a record that is not JSON, and one without a type', () => {
    expect(() => new EventDecoder().decode(encodeRecord('{oops'))).toThrow(StreamError);
    expect(() => new EventDecoder().decode(encodeRecord('{"subscribed":{}}'))).toThrow(/no string 'type'/);
  });

  it('rejects a bad length prefix', () => {
    expect(() => new EventDecoder().decode(Buffer.from('x1\n{}'))).toThrow(StreamError);
  });

  it('passes events of types it does not know', () => {
    expect(new EventDecoder().decode(encodeRecord('{"type":"SOMETHING_NEW"}'))).toEqual([{ type: 'SOMETHING_NEW' }]);
  });

  it('stops reading once the sink says so', async () => {
    const seen: string[] = [];
    async function* body(): AsyncGenerator<Uint8Array> {
      yield bytes;
      yield encodeRecord('{"type":"HEARTBEAT"}');
    }
    await readEvents(body(), { event: (event) => seen.push(event.type), stopped: () => seen.length >= 1 });
    expect(seen).toEqual(['SUBSCRIBED']);
  });
});
