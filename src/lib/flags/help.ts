/**
 * Every command has `--help`, as stout's FlagsBase adds it to every flag set. It
 * is an ordinary boolean (`--help`, `--no-help`, `--help=true`); the parser
 * reports it instead of printing, so the CLI decides what to do.
 */
import { helpFlagName } from './definition.js';
import { flag } from './kinds.js';

export { helpFlagName };

export const helpFlag = flag.bool({ default: false, help: 'Prints this help message' });
