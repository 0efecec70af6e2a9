// Method: SandboxOutput over an in-memory fetch that plays the agent's /files/read and /state.
import { describe, expect, it } from 'vitest';
import { executorDirectory, SandboxOutput, type Fetch } from './sandbox-output.js';

const target = { agentUrl: 'http://agent:5051', frameworkId: 'fw', executorId: 'job-1' };

/** Serves `files` as /files/read does, and `state` at /state; records the paths asked for. */
function fakeFetch(files: Map<string, string>, state: object = {}): { fetch: Fetch; asked: string[] } {
  const asked: string[] = [];
  const fetch: Fetch = async (url) => {
    const parsed = new URL(url);
    if (parsed.pathname === '/state') return { status: 200, text: async () => JSON.stringify(state) };
    const path = parsed.searchParams.get('path') ?? '';
    asked.push(path);
    const content = files.get(path);
    if (content === undefined) return { status: 404, text: async () => '' };
    const offset = Number(parsed.searchParams.get('offset'));
    const length = Number(parsed.searchParams.get('length'));
    const data = Buffer.from(content).subarray(offset, offset + length).toString('utf8');
    return { status: 200, text: async () => JSON.stringify({ data, offset }) };
  };
  return { fetch, asked };
}

describe('execute: sandbox output', () => {
  it('copies new bytes only, from the virtual path of the latest run', async () => {
    const files = new Map([['/frameworks/fw/executors/job-1/runs/latest/stdout', 'a\n']]);
    const out: string[] = [];
    const output = new SandboxOutput(target, (text) => out.push(text), () => undefined, fakeFetch(files).fetch);

    expect(await output.poll()).toBe(true);
    files.set('/frameworks/fw/executors/job-1/runs/latest/stdout', 'a\nb\n');
    await output.poll();
    expect(await output.poll()).toBe(false);

    expect(out).toEqual(['a\n', 'b\n']);
  });

  it('falls back to the directory in /state, and waits quietly while there is none', async () => {
    const files = new Map([['/sandboxes/1/stderr', 'oops\n']]);
    const state = { frameworks: [{ id: 'fw', executors: [{ id: 'job-1', directory: '/sandboxes/1' }] }] };
    const err: string[] = [];
    const withoutState = new SandboxOutput(target, () => undefined, (text) => err.push(text), fakeFetch(files).fetch);
    expect(await withoutState.poll()).toBe(false);

    const output = new SandboxOutput(target, () => undefined, (text) => err.push(text), fakeFetch(files, state).fetch);
    await output.poll();
    expect(err).toEqual(['oops\n']);
  });

  it('finds an executor among completed frameworks and executors too', () => {
    const state = { completed_frameworks: [{ id: 'fw', completed_executors: [{ id: 'job-1', directory: '/d' }] }] };
    expect(executorDirectory(state, 'fw', 'job-1')).toBe('/d');
    expect(executorDirectory(state, 'fw', 'other')).toBeUndefined();
    expect(executorDirectory(null, 'fw', 'job-1')).toBeUndefined();
  });
});
