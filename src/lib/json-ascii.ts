/**
 * JSON with every non-ASCII character escaped as \uXXXX. Mesos clients (the npm
 * package mesos-framework among them) compare a RecordIO length in bytes with a
 * decoded string's length in characters; pure ASCII makes the two equal.
 */
export function stringifyAscii(value: unknown): string {
  const json = JSON.stringify(value);
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_GLOBAL, escapeCodeUnit) : json;
}

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_GLOBAL = /[\u0080-\uffff]/g;

function escapeCodeUnit(char: string): string {
  return '\\u' + char.charCodeAt(0).toString(16).padStart(4, '0');
}
