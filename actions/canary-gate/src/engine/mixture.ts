/**
 * Weights of a discrete mixture over how far an alternative lies beyond a tested boundary, in grid
 * steps of the log ratio. Offsets are dense near the boundary (small effects need fine resolution)
 * and sparse far from it (large effects are decided in a period or two anyway). The weights follow a
 * density over the offset δ (log-ratio units) times the width each offset stands for, and sum to 1,
 * so each mixture of likelihood ratios is itself a test supermartingale.
 */
export interface MixtureComponent {
  offset: number;
  logWeight: number;
}

const OFFSETS = [1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 112, 128];

export function densityMixture(step: number, density: (delta: number) => number): MixtureComponent[] {
  const raw = OFFSETS.map((offset, i) => {
    const width = ((OFFSETS[i + 1] ?? offset + (offset - (OFFSETS[i - 1] ?? 0))) - (OFFSETS[i - 1] ?? 0)) / 2;
    return { offset, weight: width * density(offset * step) };
  });
  const total = raw.reduce((sum, c) => sum + c.weight, 0);
  return raw.map((c) => ({ offset: c.offset, logWeight: Math.log(c.weight / total) }));
}

/** Half-normal density with scale `scale` over the offset. */
export function halfNormalMixture(step: number, scale: number): MixtureComponent[] {
  return densityMixture(step, (delta) => Math.exp((-delta * delta) / (2 * scale * scale)));
}

/**
 * Log-normal density over the offset: most mass on the effects that matter in practice, from a few
 * tens of percent to a few times beyond the boundary, with thin tails both ways.
 */
export function logNormalMixture(step: number, median: number, sigma: number): MixtureComponent[] {
  return densityMixture(step, (delta) => Math.exp(-((Math.log(delta / median) / sigma) ** 2) / 2) / delta);
}

/**
 * Two log-normal densities over the offset, the second with share `tailWeight`: the main component
 * where most regressions lie, a second one on large effects (a broken release) so that they are
 * decided in the first minutes instead of paying for the main component's thin tail.
 */
export function twoLogNormalMixture(
  step: number,
  main: { median: number; sigma: number },
  tail: { median: number; sigma: number; weight: number },
): MixtureComponent[] {
  const density = (delta: number, c: { median: number; sigma: number }): number =>
    Math.exp(-((Math.log(delta / c.median) / c.sigma) ** 2) / 2) / (delta * c.sigma);
  return densityMixture(
    step,
    (delta) => (1 - tail.weight) * density(delta, main) + tail.weight * density(delta, tail),
  );
}

/** log(Σ exp(terms)) without overflow. */
export function logSumExp(terms: number[]): number {
  let max = -Infinity;
  for (const t of terms) if (t > max) max = t;
  if (max === -Infinity) return -Infinity;
  let sum = 0;
  for (const t of terms) sum += Math.exp(t - max);
  return max + Math.log(sum);
}
