/**
 * The fetcher (spec: CommandInfo.uris): puts each URI into the sandbox before
 * the container starts. Sources: `file://` URLs, plain absolute paths, and
 * `http(s)://` URLs. `extract` unpacks archives (tar, tar.gz/tgz, tar.bz2,
 * tar.xz/txz, zip); `executable` sets the execute bits; `output_file` renames
 * the result; `cache` keeps a copy under the agent's fetch cache, keyed by URI
 * and user. A failed fetch is TASK_FAILED with the reason.
 */
import type { Result } from '../../lib/result.js';
import type { FetchUri } from '../containerizer/types.js';

export interface FetchRequest {
  readonly uris: readonly FetchUri[];
  readonly sandbox: string;
  /** Files in the sandbox are owned by this user when set (the agent runs as root). */
  readonly user: string | undefined;
}

export interface Fetcher {
  /** Fetches every URI in order; the first failure stops and is returned (one line, naming the URI). */
  fetch(request: FetchRequest): Promise<Result<void>>;
}
