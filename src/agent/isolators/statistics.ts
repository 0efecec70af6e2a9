/**
 * Mesos' ResourceStatistics in JSON (/monitor/statistics, GET_CONTAINERS):
 * what isolators add to a container's usage, under Mesos' field names.
 */

/** One disk a container uses: its sandbox (no source, no persistence) or a persistent volume. */
export interface DiskStatistics {
  readonly source?: unknown;
  readonly persistence?: { readonly id: string; readonly principal?: string };
  readonly limit_bytes?: number;
  readonly used_bytes?: number;
}

export interface ResourceStatistics {
  readonly timestamp: number;
  readonly processes: number;
  readonly threads: number;
  readonly cpus_user_time_secs: number;
  readonly cpus_system_time_secs: number;
  readonly cpus_limit: number;
  readonly cpus_nr_periods: number;
  readonly cpus_nr_throttled: number;
  readonly cpus_throttled_time_secs: number;
  readonly cpus_quota_secs: number;
  readonly mem_total_bytes: number;
  readonly mem_rss_bytes: number;
  readonly mem_cache_bytes: number;
  readonly mem_limit_bytes: number;
  readonly mem_soft_limit_bytes: number;
  readonly disk_limit_bytes: number;
  readonly disk_used_bytes: number;
  readonly disk_statistics: readonly DiskStatistics[];
}
