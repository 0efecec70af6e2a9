/** What this agent is: its version and the capabilities it advertises to the master. */

/** berth agents speak the Mesos 1.11 agent semantics (see master/shell/master-info.ts). */
export const agentVersion = '1.11.0';

/**
 * MULTI_ROLE, HIERARCHICAL_ROLE and RESERVATION_REFINEMENT: the allocator may
 * offer this agent to multi-role frameworks and hierarchical roles.
 * RESIZE_VOLUME: it takes GROW_VOLUME and SHRINK_VOLUME. AGENT_OPERATION_FEEDBACK:
 * it reports on every storage operation, which Mesos agents do only for
 * resource providers. TASK_RESOURCE_LIMITS: it takes TaskInfo.limits, which
 * cgroups/cpu (a CFS quota) and cgroups/mem (the hard memory limit) enforce.
 * AGENT_DRAINING: it obeys DRAIN (core/drain.ts), so an operator may drain it.
 */
export const agentCapabilities: readonly string[] = [
  'MULTI_ROLE',
  'HIERARCHICAL_ROLE',
  'RESERVATION_REFINEMENT',
  'RESIZE_VOLUME',
  'AGENT_OPERATION_FEEDBACK',
  'TASK_RESOURCE_LIMITS',
  'AGENT_DRAINING',
];
