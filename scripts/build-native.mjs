#!/usr/bin/env node
// Builds the native helpers with the system C compiler ($CC, default cc):
//   native/supervisor.c -> dist/native/berth-supervisor (one per container)
//   native/launcher.c   -> dist/native/berth-launcher   (starts supervisors for the agent)
// Each binary is built only when it is older than its source. It is written
// under a temporary name and renamed into place, so concurrent builds
// (parallel test workers) never see a half-written file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const repositoryRoot = join(import.meta.dirname, '..');
const targets = [
  { source: join(repositoryRoot, 'native', 'supervisor.c'), output: join(repositoryRoot, 'dist', 'native', 'berth-supervisor') },
  { source: join(repositoryRoot, 'native', 'launcher.c'), output: join(repositoryRoot, 'dist', 'native', 'berth-launcher') },
];
const compiler = process.env.CC || 'cc';
const flags = ['-O2', '-Wall', '-Wextra', '-Werror', '-std=gnu11'];

function modifiedMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function build({ source, output }) {
  const sourceMs = modifiedMs(source);
  if (sourceMs === undefined) {
    console.error(`build-native: ${relative(process.cwd(), source)} is missing`);
    process.exit(1);
  }
  const outputMs = modifiedMs(output);
  if (outputMs !== undefined && outputMs > sourceMs) return;

  mkdirSync(dirname(output), { recursive: true });
  const temporary = `${output}.tmp-${process.pid}`;
  const result = spawnSync(compiler, [...flags, '-o', temporary, source], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error !== undefined) {
    const missing = result.error.code === 'ENOENT';
    console.error(
      missing
        ? `build-native: no C compiler '${compiler}' found: install one (apt-get install gcc) or set CC`
        : `build-native: cannot run '${compiler}': ${result.error.message}`,
    );
    process.exit(1);
  }
  if (result.status !== 0) {
    rmSync(temporary, { force: true });
    console.error(`build-native: '${compiler}' failed to compile ${relative(process.cwd(), source)}`);
    process.exit(1);
  }
  renameSync(temporary, output);
  console.log(`build-native: built ${relative(process.cwd(), output)}`);
}

for (const target of targets) build(target);
