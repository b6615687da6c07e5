/** How the gate prints a number at a given count of significant digits. */
export type Print = (x: number, digits: number) => string;

export const precise: Print = (x, digits) => Number(x.toPrecision(digits)).toString();

/**
 * A value and the limit it is judged against, printed at the first precision (3 significant digits
 * or more) where they read differently: at 3 digits a candidate 0.01% over its budget prints as the
 * budget itself ("0.012 ≤ 0.012 … FAIL"), and rounding must not make a failed rule read as met.
 * Equal values print at 3 digits; rounding keeps their order once they print apart.
 */
export function apart(value: number, limit: number, print: Print = precise): [string, string] {
  let pair: [string, string] = [print(value, 3), print(limit, 3)];
  for (let digits = 4; digits <= 15 && value !== limit && pair[0] === pair[1]; digits++)
    pair = [precise(value, digits), precise(limit, digits)];
  return pair;
}
