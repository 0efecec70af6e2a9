/** The system/* metrics both masters and agents publish (spec/core.md 8). */
import { cpus, freemem, loadavg, totalmem } from 'node:os';

export function systemMetrics(): Record<string, number> {
  const [load1, load5, load15] = loadavg();
  return {
    'system/cpus_total': cpus().length,
    'system/load_1min': load1 ?? 0,
    'system/load_5min': load5 ?? 0,
    'system/load_15min': load15 ?? 0,
    'system/mem_total_bytes': totalmem(),
    'system/mem_free_bytes': freemem(),
  };
}
