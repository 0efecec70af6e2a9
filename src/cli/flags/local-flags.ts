/**
 * `berth local` flags: one master and some agents in one process tree, for trying
 * berth out and for tests. Mesos' `mesos-local` has no such flags; these are berth's.
 */
import { defineFlags, flag, type FlagValues } from '../../lib/flags/index.js';

/** More agents than this on one host is a mistake, not a test. */
const localAgentsMax = 64;

export const localFlags = defineFlags({
  agents: flag.int({ default: 3, min: 1, max: localAgentsMax, help: 'Number of agents to start.' }),
  work_dir: flag.path({
    default: '.berth',
    help: 'Directory under which the master and every agent keep their state.',
  }),
  port: flag.int({ default: 5050, min: 0, max: 65_535, help: 'Port of the master; 0 picks a free port.' }),
  ha: flag.bool({ default: false, help: 'Run a ZooKeeper and three masters electing a leader through it, instead of one master.' }),
});

export type LocalFlags = FlagValues<typeof localFlags>;
