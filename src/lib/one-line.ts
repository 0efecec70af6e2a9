/** Several lines (a stack, a multi-line body from a server) as one, so that an error stays one line. */
export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}
