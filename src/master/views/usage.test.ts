/**
 * Method: the derived sums every view relies on, checked on hand-built states:
 * which tasks and executors hold resources, where, and what an agent declared.
 */
import { describe, expect, it } from 'vitest';
import { Resources } from '../../resources/index.js';
import { disk, dynamicReservation, mountSource, scalar, volume } from '../../resources/testing/fixtures.js';
import { addAgent, addFramework, addOffer, addTask, masterState } from './fixtures.js';
import { agentOffered, agentUsedByFramework, declaredResources, executorResources, frameworkOffered, frameworkUsed } from './usage.js';

describe('views: usage', () => {
  it('views: usage: tasks hold resources until terminal or unreachable, executors while known', () => {
    const state = masterState();
    const agent = addAgent(state, { id: 'A1' });
    const framework = addFramework(state, { id: 'F1' });
    addTask(state, framework, agent, { id: 'run', resources: 'cpus:1' });
    addTask(state, framework, agent, { id: 'away', resources: 'cpus:2', state: 'TASK_UNREACHABLE' });
    addTask(state, framework, agent, { id: 'done', resources: 'cpus:4', state: 'TASK_FAILED' });
    const executor = {
      executor_id: { value: 'ex' },
      resources: [{ name: 'mem', type: 'SCALAR', scalar: { value: 32 }, allocation_info: { role: '*' } }],
    };
    framework.executors.set('A1', new Map([['ex', executor]]));
    const used = agentUsedByFramework(state, agent).get('F1') ?? Resources.empty();
    expect(used.scalarValue('cpus')).toBe(1);
    expect(used.scalarValue('mem')).toBe(32);
    expect(frameworkUsed(framework).equals(used)).toBe(true);
  });

  it('views: usage: executor resources in the legacy reservation format are read too; junk counts as nothing', () => {
    const legacy = executorResources({ resources: [{ name: 'cpus', type: 'SCALAR', scalar: { value: 0.5 }, role: 'eng' }] });
    expect(legacy.reserved('eng').scalarValue('cpus')).toBe(0.5);
    expect(executorResources({ resources: [{ name: '', type: 'SCALAR' }] }).isEmpty()).toBe(true);
    expect(executorResources({}).isEmpty()).toBe(true);
  });

  it('views: usage: offered resources are summed per agent and per framework', () => {
    const state = masterState();
    const agent = addAgent(state);
    const framework = addFramework(state);
    addOffer(state, framework, agent, 'cpus:1');
    addOffer(state, framework, agent, 'cpus:2;mem:8');
    expect(agentOffered(state, agent).scalarValue('cpus')).toBe(3);
    expect(frameworkOffered(state, framework).scalarValue('mem')).toBe(8);
  });

  it('views: usage: declared resources pop dynamic reservations, strip volumes and skip revocable ones', () => {
    const total = Resources.of([
      scalar('cpus', 2, { reservations: [{ type: 'STATIC', role: 'eng' }, dynamicReservation('eng/a', 'p')] }),
      scalar('cpus', 1, { revocable: true }),
      volume(100, 'v1', { reservations: [dynamicReservation('eng')], source: mountSource('/mnt/d1') }),
    ]);
    expect(declaredResources(total).equals(Resources.of([scalar('cpus', 2, { role: 'eng' }), disk(100, { source: mountSource('/mnt/d1') })]))).toBe(true);
  });
});
