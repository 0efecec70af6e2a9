/**
 * filesystem/linux and filesystem/posix: how a container's persistent volumes
 * appear at `<sandbox>/<container_path>` (spec/storage.md 3.4). The work is
 * in containerizer/volume-mounts.ts: mount points (linux: the supervisor's
 * child bind-mounts in the task's own namespace) or symlinks (posix, which
 * cannot enforce read-only and warns). Nothing to clean up: the mounts go
 * with the container's last process, the links with its sandbox.
 */
import { ok } from '../../lib/result.js';
import { prepareVolumes } from '../containerizer/volume-mounts.js';
import type { Isolator } from './isolator.js';

export function filesystemIsolator(name: 'filesystem/linux' | 'filesystem/posix'): Isolator {
  return {
    name,
    prepare: (container) => {
      if (container.volumes.length === 0) return ok({});
      const prepared = prepareVolumes(container.sandbox, container.volumes, name, container.owner);
      if (!prepared.ok) return prepared;
      return ok({ mounts: prepared.value.mounts, warnings: prepared.value.warnings });
    },
  } satisfies Isolator;
}
