/**
 * Effects wait for the registry writes before them, and only for those: with
 * nothing in flight an effect runs as it is pushed, a write that fails
 * releases nothing, and a master whose store is slow answers an operator's
 * UPDATE_WEIGHTS only once the store has it.
 */
import { describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { FakeClock } from '../../lib/clock.js';
import { SeededRandom } from '../../lib/random.js';
import { MasterCore } from '../core/master-core.js';
import { defaultMasterConfig } from '../../testing/master-config.js';
import { emptyRegistry, type RegistryOperation, type RegistryStore } from '../registry/registry.js';
import { EffectQueue } from './effect-queue.js';
import { masterInfo } from './master-info.js';
import { MasterRuntime } from './runtime.js';

/** A promise with its resolve and reject at hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (error: Error) => void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('EffectQueue', () => {
  it('runs an effect at once when no write is in flight', () => {
    const queue = new EffectQueue();
    const ran: string[] = [];
    queue.push(() => ran.push('a'));
    queue.pushWrite(undefined, () => ran.push('failed'));
    queue.push(() => ran.push('b'));
    expect(ran).toEqual(['a', 'b']);
    expect(queue.holding).toBe(false);
  });

  it('holds what follows a write until it is durable, in order, write by write', async () => {
    const queue = new EffectQueue();
    const ran: string[] = [];
    const first = deferred();
    const second = deferred();
    queue.push(() => ran.push('before'));
    queue.pushWrite(first.promise, () => ran.push('failed'));
    queue.push(() => ran.push('after first'));
    queue.pushWrite(second.promise, () => ran.push('failed'));
    queue.push(() => ran.push('after second'));
    expect(ran).toEqual(['before']);
    second.resolve();
    await settle();
    expect(ran).toEqual(['before']);
    first.resolve();
    await settle();
    expect(ran).toEqual(['before', 'after first', 'after second']);
    expect(queue.holding).toBe(false);
  });

  it('never runs what follows a write that failed', async () => {
    const queue = new EffectQueue();
    const ran: string[] = [];
    const write = deferred();
    queue.pushWrite(write.promise, (error) => ran.push(`failed: ${(error as Error).message}`));
    queue.push(() => ran.push('after'));
    write.reject(new Error('leadership lost'));
    await settle();
    expect(ran).toEqual(['failed: leadership lost']);
  });
});

/** A store whose writes are durable only when the test says so. */
class SlowStore implements RegistryStore {
  readonly recovered = emptyRegistry;
  readonly durable = true;
  readonly writes: { operation: RegistryOperation; done: () => void }[] = [];

  apply(operation: RegistryOperation): Promise<void> {
    const write = deferred();
    this.writes.push({ operation, done: write.resolve });
    return write.promise;
  }

  close(): void {}
}

describe('MasterRuntime with an asynchronous registry', () => {
  it('answers UPDATE_WEIGHTS after the store has the weights, and a read after it too', async () => {
    const clock = new FakeClock();
    const random = new SeededRandom(3);
    const core = new MasterCore(defaultMasterConfig(), masterInfo(random.uuid(), '127.0.0.1', 5050, 'm'), random, clock.nowMs());
    const store = new SlowStore();
    const runtime = new MasterRuntime(core, clock, pino({ level: 'silent' }), store);
    const answered: string[] = [];
    const update = runtime.dispatch({ type: 'operator_call', call: { type: 'UPDATE_WEIGHTS', update_weights: { weight_infos: [{ role: 'eng', weight: 2 }] } } });
    runtime.whenPerformed(() => answered.push(`update ${update.reply?.status ?? 'none'}`));
    runtime.dispatch({ type: 'operator_call', call: { type: 'GET_WEIGHTS' } });
    runtime.whenPerformed(() => answered.push('read'));
    expect(store.writes.map((write) => write.operation.type)).toEqual(['update_weights']);
    await settle();
    expect(answered).toEqual([]);
    store.writes[0]?.done();
    await settle();
    expect(answered).toEqual(['update 200', 'read']);
    runtime.stop();
  });
});
