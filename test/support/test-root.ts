import { resolve } from 'node:path';

/** The one directory under which tests create files, work dirs, sockets and mounts. */
export function testRoot(): string {
  return resolve(process.env['BERTH_TEST_ROOT'] ?? resolve(import.meta.dirname, '..', '..', '.test-root'));
}
