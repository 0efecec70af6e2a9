/** Mesos logging levels (INFO, WARNING, ERROR) as pino levels. */
export function pinoLevel(level: string): string {
  switch (level.toUpperCase()) {
    case 'WARNING':
    case 'WARN':
      return 'warn';
    case 'ERROR':
      return 'error';
    case 'DEBUG':
    case 'VERBOSE':
      return 'debug';
    default:
      return 'info';
  }
}
