/**
 * Offer constraints (scheduler API SUBSCRIBE / UPDATE_FRAMEWORK): per role, an
 * agent is offered only if at least one group matches and every constraint in
 * that group matches. Predicates on text compare TEXT attributes (and the
 * pseudo-attributes HOSTNAME, REGION, ZONE); they evaluate to true for
 * attributes of other types, as in Mesos. Regexes must match the whole string
 * (RE2::FullMatch).
 */
import type { OfferConstraints } from '../../protocol/scheduler.js';
import { err, ok, type Result } from '../../lib/result.js';

export interface AgentAttributes {
  readonly hostname: string;
  readonly attributes: readonly { name: string; type: string; text?: { value: string } }[];
  readonly region?: string;
  readonly zone?: string;
}

type Lookup = { kind: 'absent' } | { kind: 'text'; value: string } | { kind: 'other' };

interface CompiledConstraint {
  select(agent: AgentAttributes): Lookup;
  test(value: Lookup): boolean;
}

/** Compiled per role: `excludes(role, agent)` answers for the allocator's hot loop. */
export class OfferConstraintFilter {
  constructor(private readonly byRole: ReadonlyMap<string, readonly (readonly CompiledConstraint[])[]>) {}

  static none = new OfferConstraintFilter(new Map());

  excludes(role: string, agent: AgentAttributes): boolean {
    const groups = this.byRole.get(role);
    if (groups === undefined) return false;
    return !groups.some((group) => group.every((constraint) => constraint.test(constraint.select(agent))));
  }
}

/** Bounds on regexes: Mesos limits RE2 memory and program size; berth bounds the pattern length. */
export const offerConstraintRegexLengthMax = 1024;

export function compileOfferConstraints(
  constraints: OfferConstraints | undefined,
  frameworkRoles: ReadonlySet<string>,
): Result<OfferConstraintFilter> {
  const byRole = new Map<string, CompiledConstraint[][]>();
  for (const [role, roleConstraints] of Object.entries(constraints?.role_constraints ?? {})) {
    if (!frameworkRoles.has(role)) {
      return err(`Offer constraints specified for a role '${role}' the framework is not subscribed to`);
    }
    const groups = roleConstraints.groups ?? [];
    if (groups.length === 0) return err(`Offer constraints for role '${role}' must contain at least one group`);
    const compiledGroups: CompiledConstraint[][] = [];
    for (const group of groups) {
      const list = group.attribute_constraints ?? [];
      if (list.length === 0) return err(`An offer constraint group for role '${role}' must contain at least one constraint`);
      const compiled: CompiledConstraint[] = [];
      for (const constraint of list) {
        const result = compileConstraint(constraint);
        if (!result.ok) return err(`Invalid offer constraint for role '${role}': ${result.error}`);
        compiled.push(result.value);
      }
      compiledGroups.push(compiled);
    }
    byRole.set(role, compiledGroups);
  }
  return ok(byRole.size === 0 ? OfferConstraintFilter.none : new OfferConstraintFilter(byRole));
}

type Constraint = NonNullable<NonNullable<OfferConstraints['role_constraints']>[string]['groups']>[number];
type AttributeConstraint = NonNullable<Constraint['attribute_constraints']>[number];

function compileConstraint(constraint: AttributeConstraint): Result<CompiledConstraint> {
  const selector = compileSelector(constraint.selector);
  if (!selector.ok) return selector;
  const test = compilePredicate(constraint.predicate);
  if (!test.ok) return test;
  return ok({ select: selector.value, test: test.value });
}

function compileSelector(selector: AttributeConstraint['selector']): Result<(agent: AgentAttributes) => Lookup> {
  const text = (value: string | undefined): Lookup => (value === undefined ? { kind: 'absent' } : { kind: 'text', value });
  if (selector.attribute_name !== undefined) {
    const name = selector.attribute_name;
    return ok((agent) => {
      const attribute = agent.attributes.find((a) => a.name === name);
      if (attribute === undefined) return { kind: 'absent' };
      return attribute.type === 'TEXT' && attribute.text !== undefined ? text(attribute.text.value) : { kind: 'other' };
    });
  }
  switch (selector.pseudoattribute_type) {
    case 'HOSTNAME':
      return ok((agent) => text(agent.hostname));
    case 'REGION':
      return ok((agent) => text(agent.region));
    case 'ZONE':
      return ok((agent) => text(agent.zone));
    default:
      return err("'selector' must name an attribute or a known pseudoattribute type");
  }
}

function compilePredicate(predicate: AttributeConstraint['predicate']): Result<(value: Lookup) => boolean> {
  const textTest = (test: (s: string) => boolean) => (value: Lookup) =>
    value.kind === 'other' ? true : value.kind === 'text' && test(value.value);
  if (predicate.exists !== undefined) return ok((value) => value.kind !== 'absent');
  if (predicate.not_exists !== undefined) return ok((value) => value.kind === 'absent');
  if (predicate.text_equals !== undefined) {
    const expected = predicate.text_equals.value;
    return ok(textTest((s) => s === expected));
  }
  if (predicate.text_not_equals !== undefined) {
    const unexpected = predicate.text_not_equals.value;
    return ok((value) => value.kind !== 'text' || value.value !== unexpected);
  }
  const regexSource = predicate.text_matches?.regex ?? predicate.text_not_matches?.regex;
  if (regexSource !== undefined) {
    if (regexSource.length > offerConstraintRegexLengthMax) {
      return err(`regex is longer than ${offerConstraintRegexLengthMax} characters`);
    }
    let regex: RegExp;
    try {
      regex = new RegExp(`^(?:${regexSource})$`, 'u');
    } catch (error) {
      return err(`invalid regex '${regexSource}': ${(error as Error).message}`);
    }
    if (predicate.text_matches !== undefined) return ok(textTest((s) => regex.test(s)));
    return ok((value) => value.kind !== 'text' || !regex.test(value.value));
  }
  return err("'predicate' must be set");
}
