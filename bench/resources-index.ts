/**
 * Resources at the size of an agent with a thousand persistent volumes: what
 * one CREATE or DESTROY costs the master's model of the agent (a chain
 * `total.minus(consumed).plus(converted)` that keeps only its newest result),
 * a containment check of one volume, the same on an old instance, and sums
 * and differences of two big collections (`available.plus(offer)`).
 * Usage (after npx tsc -p tsconfig.json): node dist/bench/resources-index.js [volumes]
 * (default 1000).
 *
 * Each figure is the median over batches of the time per operation, so that
 * a garbage collection in one batch does not move it. Resources are built as
 * the master gets them, from parsed JSON: objects of one shape. (Objects from
 * the test fixtures' spreads end up with a hidden class each, which makes
 * every comparison several times slower and would hide what is measured.)
 */
import { Resources } from '../src/resources/resources.js';
import type { Resource } from '../src/resources/types.js';

const volumeCount = Number(process.argv[2] ?? 1000);
const batches = 15;

function reservedDisk(size: number, persistenceId?: string): Resource {
  const disk = persistenceId === undefined ? {} : { disk: { persistence: { id: persistenceId, principal: 'ops' }, volume: { container_path: 'data', mode: 'RW' } } };
  const wire = { name: 'disk', type: 'SCALAR', scalar: { value: size }, reservations: [{ type: 'DYNAMIC', role: 'eng', principal: 'ops' }], ...disk };
  return JSON.parse(JSON.stringify(wire)) as Resource;
}

function pv(id: string): Resources {
  return Resources.of([reservedDisk(1, id)]);
}

const oneVolumeOfDisk = Resources.of([reservedDisk(1)]);
const volumes = Resources.of(Array.from({ length: volumeCount }, (_, n) => reservedDisk(1, `pv-${n}`)));
const remainder = Resources.of([reservedDisk(100_000)]);
const total = remainder.plus(volumes);

/** Microseconds per call of `step`, the median over `batches` batches of `perBatch` calls. */
function measure(perBatch: number, step: (i: number) => void): number {
  for (let i = 0; i < perBatch; i++) step(i);
  const perCall: number[] = [];
  for (let batch = 0; batch < batches; batch++) {
    const start = performance.now();
    for (let i = 0; i < perBatch; i++) step(i);
    perCall.push(((performance.now() - start) * 1000) / perBatch);
  }
  perCall.sort((a, b) => a - b);
  return perCall[Math.floor(batches / 2)] as number;
}

const newVolumes = Array.from({ length: 200 }, (_, n) => pv(`new-${n}`));

/** CREATE then DESTROY of a new volume, over and over, keeping only the newest total. */
function chain(): number {
  let current = total;
  let sink = 0;
  const figure = measure(newVolumes.length, (i) => {
    const created = newVolumes[i] as Resources;
    current = current.minus(oneVolumeOfDisk).plus(created);
    current = current.minus(created).plus(oneVolumeOfDisk);
    sink += current.size;
  });
  if (sink === 0) throw new Error('unreachable');
  return figure / 2;
}

function main(): void {
  const oneVolume = pv('pv-500');
  const oneVolumeResource = oneVolume.entries[0]?.resource;
  if (oneVolumeResource === undefined || !total.contains(oneVolume)) throw new Error('bench: volume missing');
  const rows: [string, number][] = [
    ['CREATE or DESTROY: total.minus(x).plus(y), newest kept', chain()],
    ['total.contains(oneVolume)', measure(500, () => total.contains(oneVolume))],
    ['total.contains(oneVolume as a Resource)', measure(500, () => total.contains(oneVolumeResource))],
    ['total.minus(oneVolume) on one old total', measure(500, () => total.minus(oneVolume))],
    ['total.plus(newVolume) on one old total', measure(newVolumes.length, (i) => total.plus(newVolumes[i] as Resources))],
    [`remainder.plus(${volumeCount} volumes)`, measure(50, () => remainder.plus(volumes))],
    [`total.minus(${volumeCount} volumes)`, measure(50, () => total.minus(volumes))],
    [`total.contains(${volumeCount} volumes)`, measure(50, () => total.contains(volumes))],
  ];
  process.stdout.write(`Resources with ${total.size} entries (${volumeCount} volumes and a reserved disk), microseconds per operation:\n`);
  for (const [name, micros] of rows) process.stdout.write(`  ${name.padEnd(56)} ${micros.toFixed(1).padStart(9)}\n`);
}

main();
