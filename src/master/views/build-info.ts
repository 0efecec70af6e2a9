/**
 * What berth says about its own build in /master/state and GET_VERSION.
 * Mesos tools compare `version` with Mesos releases to decide which API
 * features to use, so berth reports the Mesos release whose APIs it implements.
 * Fixed values, not read at run time: views stay pure.
 */
export interface BuildInfo {
  readonly version: string;
  readonly buildDate: string;
  /** Seconds since the epoch, as Mesos' build_time. */
  readonly buildTime: number;
  readonly buildUser: string;
  readonly gitSha?: string;
  readonly gitBranch?: string;
  readonly gitTag?: string;
}

export const berthBuildInfo: BuildInfo = {
  version: '1.11.0',
  buildDate: '1970-01-01 00:00:00',
  buildTime: 0,
  buildUser: 'berth',
};

/** The build fields of /master/state, in Mesos' order. */
export function legacyBuildFields(build: BuildInfo): Record<string, string | number> {
  return {
    version: build.version,
    ...(build.gitSha !== undefined && { git_sha: build.gitSha }),
    ...(build.gitBranch !== undefined && { git_branch: build.gitBranch }),
    ...(build.gitTag !== undefined && { git_tag: build.gitTag }),
    build_date: build.buildDate,
    build_time: build.buildTime,
    build_user: build.buildUser,
  };
}

/** GET_VERSION's version_info (mesos.VersionInfo). */
export function versionInfo(build: BuildInfo): Record<string, string | number> {
  return {
    version: build.version,
    build_date: build.buildDate,
    build_time: build.buildTime,
    build_user: build.buildUser,
    ...(build.gitSha !== undefined && { git_sha: build.gitSha }),
    ...(build.gitBranch !== undefined && { git_branch: build.gitBranch }),
    ...(build.gitTag !== undefined && { git_tag: build.gitTag }),
  };
}
