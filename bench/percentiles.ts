/**
 * Percentiles of benchmark samples, one definition for every benchmark.
 */

/** The median of `values` (any order): the mean of the two middle values when their count is even. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** The value at percentile `p` (0–100) of ascending `sorted`: nearest rank, no interpolation. */
export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** p50, p99 and max of `values` (any order), formatted with `digits` decimals. */
export function summary(values: number[], digits = 0): { p50: string; p99: string; max: string } {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50).toFixed(digits),
    p99: percentile(sorted, 99).toFixed(digits),
    max: sorted[sorted.length - 1].toFixed(digits),
  };
}
