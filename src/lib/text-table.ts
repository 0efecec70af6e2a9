/** Tables for people: a header, then one line per row, columns padded to their widest cell. Pure. */

/** Cells shown for a missing value, so that columns stay readable and splittable. */
export const emptyCell = '-';

export function formatTable(header: readonly string[], rows: readonly (readonly (string | undefined)[])[]): string {
  const cells = rows.map((row) => header.map((_title, column) => (row[column] === undefined || row[column] === '' ? emptyCell : (row[column] as string))));
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((line) => line[column]?.length ?? 0)));
  return [header, ...cells]
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
