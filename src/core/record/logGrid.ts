/**
 * Recording grids. Training curves in these papers span many decades (XD: ηT ≥ 10⁴, WA: loss
 * down to 1e-28), so points are log-spaced: a 10⁷-step run records ~ppd·7 rows, not 10⁷.
 */

/**
 * Steps 0, 1, …, then ⌊10^(k/ppd)⌉ for k = 1, 2, … (deduplicated), always including `last`.
 * With ppd ≥ 10 every step below 10 is present.
 */
export function logStepGrid(last: number, pointsPerDecade: number): number[] {
  const steps = new Set<number>([0]);
  if (last <= 0) return [0];
  for (let k = 0; ; k++) {
    const s = Math.round(10 ** (k / pointsPerDecade));
    if (s >= last) break;
    steps.add(s);
  }
  steps.add(last);
  return [...steps].sort((a, b) => a - b);
}

/** Times 0, then log-spaced from `first` to `horizon` (inclusive), ppd per decade. */
export function logTimeGrid(horizon: number, first: number, pointsPerDecade: number): number[] {
  const times = [0];
  if (first >= horizon) return [0, horizon];
  const decades = Math.log10(horizon / first);
  const count = Math.max(1, Math.ceil(decades * pointsPerDecade));
  for (let k = 0; k < count; k++) times.push(first * 10 ** ((k * decades) / count));
  times.push(horizon);
  return times;
}
