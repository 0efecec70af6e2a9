/** Command-line flags with Mesos' (stout's) name and value syntax. */
export { flagsAsStrings, type FlagAsString } from './as-strings.js';
export {
  defineFlags,
  type FlagDefinition,
  type FlagDefinitions,
  type FlagPresence,
  type FlagValue,
  type FlagValues,
} from './definition.js';
export { flag, type FlagBuilder } from './kinds.js';
export { parseFlags, type ParsedFlags, type ParseFlagsOptions } from './parse.js';
export { flagsUsage } from './usage.js';
