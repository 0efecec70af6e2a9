/**
 * Profiles only the timed cycles of the DeclineOffers benchmark with the V8
 * sampling profiler (node:inspector; the untimed declines between cycles are
 * left out) and prints self and inclusive time per function, heaviest first.
 *
 * Usage: node --max-old-space-size=12000 dist/bench/profile.js 10000x1000 [rounds] [--cpuprofile file]
 * PROFILE_TOP=n sets the rows shown; PROFILE_LINES=name,name adds ticks per
 * line of those functions (lines of the compiled JS; an inlined callee's ticks
 * carry its own line numbers, possibly of another file). --cpuprofile writes
 * the last cycle's profile for Chrome DevTools.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';
import { runDeclineOffers } from './decline-offers.js';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
  readonly positionTicks?: readonly { readonly line: number; readonly ticks: number }[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
}

function post<T>(session: Session, method: string, params?: object): T {
  let result: T | undefined;
  let failure: Error | null = null;
  session.post(method, params ?? {}, (error, value) => {
    failure = error;
    result = value as T;
  });
  if (failure !== null) throw failure;
  return result as T;
}

function summarise(profiles: readonly Profile[], top: number): void {
  const self = new Map<string, number>();
  let total = 0;
  for (const node of profiles.flatMap((profile) => profile.nodes)) {
    const hits = node.hitCount ?? 0;
    total += hits;
    const name = frameName(node);
    self.set(name, (self.get(name) ?? 0) + hits);
  }
  const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, top);
  process.stdout.write('self time:\n');
  for (const [name, hits] of rows) process.stdout.write(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}\n`);
  process.stdout.write('inclusive time:\n');
  const inclusive = inclusiveTimes(profiles);
  const heavy = [...inclusive].sort((a, b) => b[1] - a[1]).slice(0, top);
  for (const [name, hits] of heavy) process.stdout.write(`${((100 * hits) / total).toFixed(1).padStart(5)}%  ${name}\n`);
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  return `${functionName || '(anonymous)'} ${url.replace(/^.*\/dist\//, '')}:${lineNumber + 1}`;
}

/** Hits under each function, counting a function once per stack even when it recurses. */
function inclusiveTimes(profiles: readonly Profile[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const profile of profiles) {
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const visit = (node: ProfileNode, onStack: Set<string>): number => {
      let hits = node.hitCount ?? 0;
      const name = frameName(node);
      const fresh = !onStack.has(name);
      if (fresh) onStack.add(name);
      for (const child of node.children ?? []) hits += visit(byId.get(child) as ProfileNode, onStack);
      if (fresh) {
        onStack.delete(name);
        out.set(name, (out.get(name) ?? 0) + hits);
      }
      return hits;
    };
    const root = profile.nodes[0];
    if (root !== undefined) visit(root, new Set());
  }
  return out;
}

function main(): void {
  const shape = process.argv.find((arg) => /^\d+x\d+$/.test(arg)) ?? '10000x1000';
  const [agents, frameworks] = shape.split('x').map(Number) as [number, number];
  const rounds = Number(process.argv.find((arg) => /^\d+$/.test(arg)) ?? 10);
  const outIndex = process.argv.indexOf('--cpuprofile');
  const session = new Session();
  session.connect();
  post(session, 'Profiler.enable');
  post(session, 'Profiler.setSamplingInterval', { interval: 200 });
  const profiles: Profile[] = [];
  const result = runDeclineOffers(agents, frameworks, rounds, {
    beforeCycle: () => post(session, 'Profiler.start'),
    afterCycle: () => profiles.push(post<{ profile: Profile }>(session, 'Profiler.stop').profile),
  });
  process.stdout.write(`cycles ms: ${result.cycleMs.map((ms) => ms.toFixed(0)).join(' ')}\n`);
  if (outIndex > 0) writeFileSync(process.argv[outIndex + 1] as string, JSON.stringify(profiles.at(-1)));
  summarise(profiles, Number(process.env['PROFILE_TOP'] ?? 60));
  const lines = process.env['PROFILE_LINES'];
  if (lines !== undefined) for (const name of lines.split(',')) lineTicks(profiles, name);
}

/** Self ticks per source line (of the compiled JS) of every function called `name`. */
function lineTicks(profiles: readonly Profile[], name: string): void {
  const ticks = new Map<string, number>();
  for (const node of profiles.flatMap((profile) => profile.nodes)) {
    if (node.callFrame.functionName !== name) continue;
    for (const { line, ticks: count } of node.positionTicks ?? []) {
      const key = `${node.callFrame.url.replace(/^.*\/dist\//, '')}:${line}`;
      ticks.set(key, (ticks.get(key) ?? 0) + count);
    }
  }
  process.stdout.write(`lines of ${name}:\n`);
  for (const [key, count] of [...ticks].sort((a, b) => b[1] - a[1]).slice(0, 15)) process.stdout.write(`${String(count).padStart(7)}  ${key}\n`);
}

main();
