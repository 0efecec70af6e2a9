/**
 * Runs once before any test file. Every test keeps what it makes (work
 * directories, processes, mounts) under one test root, so that `.ci/run` and the
 * next run can clear what an interrupted run left behind.
 */
import { mkdirSync } from 'node:fs';
import { testRoot } from './test-root.js';

export default function setup(): void {
  mkdirSync(testRoot(), { recursive: true });
}
