/**
 * The containerizer and its isolators' phases, with a recording isolator:
 * an update that comes while the container is still being prepared (its
 * fetch under way) reaches the isolators once they have prepared it, and a
 * limitation an isolator reports destroys the container and comes back with
 * its end.
 *
 * Method: the real containerizer and supervisor (test-fixture.ts); the fetch
 * is held until the test lets it go.
 */
import { describe, expect, it } from 'vitest';
import { ok } from '../../lib/result.js';
import { Resources } from '../../resources/index.js';
import type { FetchRequest } from '../fetcher/types.js';
import { Isolation, IsolatorEvents } from '../isolators/isolation.js';
import type { ContainerIsolationSpec, Isolator } from '../isolators/isolator.js';
import { noIsolationSpec, useContainerizerFixture } from './test-fixture.js';

const fixture = useContainerizerFixture();

const uris = [{ value: 'http://example.invalid/a.tgz', executable: false, extract: false, cache: false, outputFile: undefined }];

function recording(): { isolator: Isolator; phases: string[]; updates: ContainerIsolationSpec[] } {
  const phases: string[] = [];
  const updates: ContainerIsolationSpec[] = [];
  const isolator: Isolator = {
    name: 'disk/du',
    prepare: () => {
      phases.push('prepare');
      return ok({});
    },
    update: (_id, spec) => {
      phases.push('update');
      updates.push(spec);
    },
    cleanup: () => {
      phases.push('cleanup');
      return Promise.resolve();
    },
  };
  return { isolator, phases, updates };
}

describe('containerizer: isolators', () => {
  it('hands an update made during the fetch to the isolators once they have prepared the container', async () => {
    const record = recording();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => (release = resolve));
    const fetcher = { fetch: async (_request: FetchRequest) => held.then(() => ok(undefined)) };
    const { containerizer, log } = fixture().containerizer({ fetcher, isolation: new Isolation([record.isolator], new IsolatorEvents()) });
    containerizer.launch(fixture().launch('slow', ['true'], { uris }));
    const bigger = { ...noIsolationSpec, resources: Resources.parse('cpus:2;mem:256') };
    containerizer.update('slow', bigger);
    expect(record.phases).toEqual([]);
    release();
    await log.waitFor('slow', 'container_exited');
    expect(record.phases).toEqual(['prepare', 'update', 'cleanup']);
    expect(record.updates).toEqual([bigger]);
  });

  it('destroys a running container an isolator limits, and reports the limitation with its end', async () => {
    // The context an isolator is given: what it reports a limitation through.
    const context = new IsolatorEvents();
    const isolator: Isolator = { name: 'cgroups/mem' };
    const { containerizer, log } = fixture().containerizer({ isolation: new Isolation([isolator], context) });
    containerizer.launch(fixture().launch('hog', ['sleep', '1000']));
    await log.waitFor('hog', 'container_started');
    const limitation = { reason: 'REASON_CONTAINER_LIMITATION_MEMORY' as const, message: 'Memory limit exceeded', resources: [] };
    context.limit('hog', limitation);
    expect((await log.waitFor('hog', 'container_limited')).limitation).toEqual(limitation);
    const exited = await log.waitFor('hog', 'container_exited');
    expect(exited.limitation).toEqual(limitation);
    // Destroyed at once: SIGTERM, then SIGKILL with no grace.
    expect(exited.status).toHaveProperty('signaled');
  });
});
