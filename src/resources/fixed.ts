/**
 * Fixed-point scalar arithmetic (spec/storage.md 1.6).
 *
 * Mesos converts every scalar to an integer count of thousandths before it
 * compares or adds, so that 0.1 + 0.1 == 0.2 and clients see three decimals at
 * most. We do the same: every comparison and sum in this module goes through
 * toFixed, never through float arithmetic on the values themselves.
 */

/** Thousandths per unit: three decimal digits are kept. */
export const fixedScale = 1000;

/**
 * What Mesos' llround yields on x86 when the value does not fit a 64-bit integer
 * (NaN, infinities, |value * 1000| >= 2^63). Validation then sees a negative
 * fixed value and rejects the scalar ("value <= 0"), as Mesos does.
 */
const fixedOverflow = -(2 ** 63);

/** value * 1000 rounded half away from zero (C llround). */
export function toFixed(value: number): number {
  const scaled = value * fixedScale;
  if (!Number.isFinite(scaled) || Math.abs(scaled) >= 2 ** 63) return fixedOverflow;
  // Math.round rounds halves up; llround rounds them away from zero. `|| 0` turns -0 into 0.
  return (scaled < 0 ? -Math.round(-scaled) : Math.round(scaled)) || 0;
}

/**
 * Back to a double: integer division then remainder, so that float division only
 * ever sees [0, 999] (the way Mesos converts, which keeps printing predictable).
 */
export function fromFixed(fixed: number): number {
  return Math.trunc(fixed / fixedScale) + (fixed % fixedScale) / fixedScale || 0;
}

/** The value a scalar has after the fixed-point round trip. */
export function roundScalar(value: number): number {
  return fromFixed(toFixed(value));
}

/** Sum of scalars computed on fixed-point integers. */
export function addScalars(left: number, right: number): number {
  return fromFixed(toFixed(left) + toFixed(right));
}

/** Difference of scalars computed on fixed-point integers (may be negative). */
export function subtractScalars(left: number, right: number): number {
  return fromFixed(toFixed(left) - toFixed(right));
}

/**
 * The printed form of a scalar: the rounded value in C++ `%.15g` style (Mesos
 * streams doubles with digits10 = 15 significant digits), e.g. "45.55", "1000001",
 * "99999999999.999", "1e+15".
 */
export function formatScalar(value: number): string {
  const rounded = roundScalar(value);
  if (rounded === 0) return '0';
  const [mantissa = '', exponentText = '0'] = rounded.toExponential(14).split('e');
  const exponent = Number(exponentText);
  if (exponent < -4 || exponent >= 15) {
    const sign = exponent < 0 ? '-' : '+';
    return `${stripTrailingZeros(mantissa)}e${sign}${String(Math.abs(exponent)).padStart(2, '0')}`;
  }
  return stripTrailingZeros(rounded.toFixed(14 - exponent));
}

function stripTrailingZeros(decimal: string): string {
  if (!decimal.includes('.')) return decimal;
  return decimal.replace(/0+$/, '').replace(/\.$/, '');
}
