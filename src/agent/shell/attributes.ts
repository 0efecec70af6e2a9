/**
 * `--attributes=rack:2;zone:a;ids:[1-10];tags:{x,y}` (Mesos' Attributes::parse):
 * each value is a scalar when it is a number, ranges in [..], a set in {..},
 * and text otherwise.
 */
import { err, ok, type Result } from '../../lib/result.js';
import type { WireAttribute } from '../../protocol/outputs.js';

export function parseAttributes(text: string | undefined): Result<WireAttribute[]> {
  const attributes: WireAttribute[] = [];
  for (const entry of (text ?? '').split(';')) {
    if (entry.trim() === '') continue;
    const colon = entry.indexOf(':');
    if (colon <= 0) return err(`Invalid attribute '${entry}': expected name:value`);
    const name = entry.slice(0, colon).trim();
    const value = entry.slice(colon + 1).trim();
    const parsed = parseValue(name, value);
    if (!parsed.ok) return parsed;
    attributes.push(parsed.value);
  }
  return ok(attributes);
}

function parseValue(name: string, value: string): Result<WireAttribute> {
  if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(value)) return ok({ name, type: 'SCALAR', scalar: { value: Number(value) } });
  if (value.startsWith('[') && value.endsWith(']')) {
    const range = [];
    for (const part of value.slice(1, -1).split(',')) {
      const match = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(part);
      if (match === null) return err(`Invalid attribute '${name}': bad range '${part}'`);
      range.push({ begin: Number(match[1]), end: Number(match[2]) });
    }
    return ok({ name, type: 'RANGES', ranges: { range } });
  }
  if (value.startsWith('{') && value.endsWith('}')) {
    const item = value
      .slice(1, -1)
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    return ok({ name, type: 'SET', set: { item } });
  }
  return ok({ name, type: 'TEXT', text: { value } });
}
