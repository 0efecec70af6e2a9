/**
 * Method: the log alone, no network. Events are appended by hand; we check
 * which consumer sees which event, and when waits end.
 */
import { describe, expect, it } from 'vitest';
import type { SchedulerEvent } from '../protocol/scheduler.js';
import { EventsDroppedError, EventTimeoutError, SessionClosedError } from './errors.js';
import { EventLog } from './event-log.js';

const heartbeat: SchedulerEvent = { type: 'HEARTBEAT' };
function rescind(offer: string): SchedulerEvent {
  return { type: 'RESCIND', rescind: { offer_id: { value: offer } } };
}
function isRescindOf(offer: string) {
  return (event: SchedulerEvent): boolean => event.type === 'RESCIND' && event.rescind.offer_id.value === offer;
}

describe('sdk: event log: next', () => {
  it('returns an event that arrived before the call', async () => {
    const log = new EventLog();
    log.append(rescind('o1'));

    await expect(log.next(isRescindOf('o1'))).resolves.toEqual(rescind('o1'));
  });

  it('keeps events that do not match for later calls, in arrival order', async () => {
    const log = new EventLog();
    log.append(rescind('o1'));
    log.append(heartbeat);
    log.append(rescind('o2'));

    await expect(log.next(isRescindOf('o2'))).resolves.toEqual(rescind('o2'));
    await expect(log.next((event) => event.type === 'RESCIND')).resolves.toEqual(rescind('o1'));
    await expect(log.next()).resolves.toEqual(heartbeat);
  });

  it('returns each event to at most one call', async () => {
    const log = new EventLog();
    log.append(rescind('o1'));

    await log.next(isRescindOf('o1'));
    await expect(log.next(isRescindOf('o1'), 20)).rejects.toBeInstanceOf(EventTimeoutError);
  });

  it('gives an arriving event to the oldest waiting call it matches', async () => {
    const log = new EventLog();
    const anyRescind = log.next((event) => event.type === 'RESCIND');
    const rescindOne = log.next(isRescindOf('o1'));

    log.append(rescind('o1'));
    log.append(rescind('o1'));

    await expect(anyRescind).resolves.toEqual(rescind('o1'));
    await expect(rescindOne).resolves.toEqual(rescind('o1'));
  });

  it('times out naming the events that did arrive', async () => {
    const log = new EventLog();
    log.append(heartbeat);

    const failure = await log.next(isRescindOf('o9'), 20).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(EventTimeoutError);
    expect((failure as EventTimeoutError).unclaimedTypes).toEqual(['HEARTBEAT']);
  });

  it('rejects waiting and later calls once the log has ended, but still returns buffered matches', async () => {
    const log = new EventLog();
    log.append(rescind('o1'));
    const waiting = log.next(isRescindOf('o2'));

    log.finish({ reason: 'ended' });

    await expect(waiting).rejects.toBeInstanceOf(SessionClosedError);
    await expect(log.next(isRescindOf('o2'))).rejects.toMatchObject({ end: { reason: 'ended' } });
    await expect(log.next(isRescindOf('o1'))).resolves.toEqual(rescind('o1'));
  });

  it('rejects a call whose predicate throws', async () => {
    const log = new EventLog();
    const waiting = log.next(() => {
      throw new Error('bad predicate');
    });
    log.append(heartbeat);

    await expect(waiting).rejects.toThrow('bad predicate');
    await expect(log.next()).resolves.toEqual(heartbeat);
  });
});

describe('sdk: event log: read and on', () => {
  it('reads every event from the start, including those taken by next, and finishes at the end', async () => {
    const log = new EventLog();
    log.append(rescind('o1'));
    await log.next();
    const seen: SchedulerEvent[] = [];
    const reading = (async () => {
      for await (const event of log.read(0)) seen.push(event);
    })();

    log.append(heartbeat);
    log.finish({ reason: 'closed' });
    await reading;

    expect(seen).toEqual([rescind('o1'), heartbeat]);
  });

  it('fails a reader that fell behind the retained bound', async () => {
    const log = new EventLog(2);
    log.append(rescind('o1'));
    log.append(rescind('o2'));
    log.append(rescind('o3'));

    const reader = log.read(0);

    await expect(reader.next()).rejects.toBeInstanceOf(EventsDroppedError);
  });

  it('calls handlers for arriving events of their type only, until unsubscribed', () => {
    const log = new EventLog();
    const rescinds: string[] = [];
    const all: string[] = [];
    const stop = log.on('RESCIND', (event) => rescinds.push(event.rescind.offer_id.value));
    log.on('*', (event) => all.push(event.type));

    log.append(rescind('o1'));
    log.append(heartbeat);
    stop();
    log.append(rescind('o2'));

    expect(rescinds).toEqual(['o1']);
    expect(all).toEqual(['RESCIND', 'HEARTBEAT', 'RESCIND']);
  });
});
