/**
 * The text syntax of a single value, shared by the agent --resources flag and
 * quantity flags (Mesos `values::parse`): "2.5", "[31000-32000,33000-33999]",
 * "{a,b}". Anything else that is not a usable number is TEXT, which callers
 * refuse with their own message.
 */
import { err, ok, type Result } from '../lib/result.js';
import { coalesceRanges } from './ranges.js';
import type { Range } from './types.js';

export type ParsedValue =
  | { readonly type: 'SCALAR'; readonly value: number }
  | { readonly type: 'RANGES'; readonly ranges: readonly Range[] }
  | { readonly type: 'SET'; readonly items: readonly string[] }
  /** `reason` says why a number-like value was not accepted as a scalar. */
  | { readonly type: 'TEXT'; readonly text: string; readonly reason?: string };

/** Splits on any of the delimiter characters and drops empty tokens (stout `strings::tokenize`). */
export function tokenize(text: string, delimiters: string): string[] {
  const tokens: string[] = [];
  let current = '';
  for (const character of text) {
    if (delimiters.includes(character)) {
      if (current.length > 0) tokens.push(current);
      current = '';
    } else {
      current += character;
    }
  }
  if (current.length > 0) tokens.push(current);
  return tokens;
}

/** Trims spaces, tabs, newlines and carriage returns (stout's whitespace set). */
export function trimWhitespace(text: string): string {
  return text.replace(/^[ \t\n\r]+|[ \t\n\r]+$/g, '');
}

function bracketsMatch(text: string, open: string, close: string): boolean {
  let depth = 0;
  for (const character of text) {
    if (character === open) depth++;
    else if (character === close) depth--;
    if (depth < 0) return false;
  }
  return depth === 0;
}

export function parseValue(text: string): Result<ParsedValue, string> {
  // Spaces are insignificant inside values ("[1-2, 3-4]"); other whitespace is not removed.
  const compact = text.replaceAll(' ', '');
  if (compact.length === 0) return err('Expecting non-empty string');
  if (!bracketsMatch(compact, '{', '}') || !bracketsMatch(compact, '[', ']') || !bracketsMatch(compact, '(', ')')) {
    return err('Mismatched brackets');
  }
  const rangesStart = compact.indexOf('[');
  if (rangesStart === 0) return parseRangesValue(compact);
  if (rangesStart > 0) return err("Unexpected '[' found");
  const setStart = compact.indexOf('{');
  if (setStart === 0) return ok({ type: 'SET', items: tokenize(compact, '{},\n') });
  if (setStart > 0) return err("Unexpected '{' found");
  return parseScalarValue(compact);
}

function parseRangesValue(text: string): Result<ParsedValue, string> {
  const tokens = tokenize(text, '[]-,\n');
  if (tokens.length % 2 !== 0) return err('Expecting one or more "ranges"');
  const ranges: Range[] = [];
  for (let i = 0; i < tokens.length; i += 2) {
    const beginText = tokens[i] as string;
    const begin = parseUnsignedInteger(beginText);
    const end = parseUnsignedInteger(tokens[i + 1] as string);
    if (begin === undefined || end === undefined) return err(`Expecting non-negative integers in '${beginText}'`);
    ranges.push({ begin, end });
  }
  return ok({ type: 'RANGES', ranges: coalesceRanges(ranges) });
}

/** Decimal or 0x-hexadecimal; berth keeps range bounds within exact JS integers. */
function parseUnsignedInteger(text: string): number | undefined {
  let value: number;
  if (/^\+?\d+$/.test(text)) value = Number(text);
  else if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = Number.parseInt(text.slice(2), 16);
  else return undefined;
  return Number.isSafeInteger(value) ? value : undefined;
}

const decimalNumber = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const specialNumber = /^[+-]?(inf|infinity|nan)$/i;
const hexadecimalInteger = /^-?0[xX][0-9a-fA-F]+$/;

/** Smallest positive normal double: anything smaller and non-zero is subnormal. */
const doubleNormalMin = 2.2250738585072014e-308;

function parseScalarValue(text: string): Result<ParsedValue, string> {
  let value: number | undefined;
  if (decimalNumber.test(text)) value = Number(text);
  else if (specialNumber.test(text)) value = /nan/i.test(text) ? Number.NaN : text.startsWith('-') ? -Infinity : Infinity;
  else if (hexadecimalInteger.test(text)) value = Number.parseInt(text, 16);
  if (value === undefined) return ok({ type: 'TEXT', text });
  if (!Number.isFinite(value)) return ok({ type: 'TEXT', text, reason: 'Unsupported floating point value' });
  if (value !== 0 && Math.abs(value) < doubleNormalMin) return err('Subnormal values not supported');
  // Mesos turns a negative number into TEXT too; we keep the reason for the error message.
  if (value < 0) return ok({ type: 'TEXT', text, reason: 'Negative values not supported' });
  return ok({ type: 'SCALAR', value: value === 0 ? 0 : value });
}
