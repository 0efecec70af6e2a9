/** `--master=host:port` (or http://host:port) as a base URL; zk:// URLs are read by src/ha/zk-url.ts. */
import { err, ok, type Result } from '../../lib/result.js';

export function masterUrlFromFlag(value: string): Result<string> {
  const trimmed = value.trim();
  const withScheme = /^https?:\/\//.test(trimmed) ? trimmed : `http://${trimmed}`;
  try {
    const url = new URL(withScheme);
    if (url.port === '') return err(`Invalid value for flag 'master': '${value}' has no port (expected host:port)`);
    return ok(`${url.protocol}//${url.host}`);
  } catch {
    return err(`Invalid value for flag 'master': '${value}' is not host:port`);
  }
}
