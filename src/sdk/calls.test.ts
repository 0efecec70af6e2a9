/** Method: pure builders; each test compares a built call with the wire JSON of spec 1.5. */
import { describe, expect, it } from 'vitest';
import * as calls from './calls.js';

describe('sdk: calls', () => {
  it('accepts ids as strings or wrappers', () => {
    expect(calls.declineCall(['o1', { value: 'o2' }])).toEqual({
      type: 'DECLINE',
      decline: { offer_ids: [{ value: 'o1' }, { value: 'o2' }] },
    });
  });

  it('builds SUBSCRIBE with a top-level framework_id only when re-subscribing', () => {
    expect(calls.subscribeCall({ user: 'u', name: 'n' })).toEqual({
      type: 'SUBSCRIBE',
      subscribe: { framework_info: { user: 'u', name: 'n' } },
    });
    expect(calls.subscribeCall({ user: 'u', name: 'n', id: { value: 'f' } }).framework_id).toEqual({ value: 'f' });
  });

  it('leaves roles out of REVIVE and SUPPRESS when none are given, meaning all roles', () => {
    expect(calls.reviveCall()).toEqual({ type: 'REVIVE' });
    expect(calls.suppressCall(['a'])).toEqual({ type: 'SUPPRESS', suppress: { roles: ['a'] } });
  });

  it('encodes MESSAGE data as base64, taking a string as UTF-8 text', () => {
    expect(calls.messageCall('a', 'e', 'hé').message?.data).toBe(Buffer.from('hé').toString('base64'));
    expect(calls.messageCall('a', 'e', Uint8Array.of(0, 255)).message?.data).toBe('AP8=');
  });

  it('builds RECONCILE with optional agent ids, and an empty list for implicit reconciliation', () => {
    expect(calls.reconcileCall([{ task_id: 't1' }, { task_id: 't2', agent_id: 'a1' }])).toEqual({
      type: 'RECONCILE',
      reconcile: { tasks: [{ task_id: { value: 't1' } }, { task_id: { value: 't2' }, agent_id: { value: 'a1' } }] },
    });
    expect(calls.reconcileCall()).toEqual({ type: 'RECONCILE', reconcile: { tasks: [] } });
  });

  it('adds framework_id only to calls without one', () => {
    expect(calls.withFrameworkId(calls.teardownCall(), 'f')).toEqual({ type: 'TEARDOWN', framework_id: { value: 'f' } });
    expect(calls.withFrameworkId({ type: 'TEARDOWN', framework_id: { value: 'x' } }, 'f').framework_id).toEqual({ value: 'x' });
  });
});
