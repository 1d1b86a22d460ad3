/*
 * The rate test. Known answers are recomputed by another route: the mixture evidence from binomial
 * probabilities written out with factorials (instead of the engine's accumulated logit form), and the
 * Mantel–Haenszel ratio by hand, and the change-point mixture from its documented weights. The
 * simulation checks Ville's bound under repeated looks: data drawn exactly at the tolerance boundary θ*
 * (the least favourable null) must cross 1/α in at most α of the runs, with and without
 * overdispersion, for the whole-run evidence and for the mixture over restarts.
 */
import { describe, expect, it } from '@jest/globals';
import { restartSchedule } from '../../src/engine/change-points.js';
import {
  halfNormalMixture,
  logSumExp,
  twoLogNormalMixture,
  type MixtureComponent,
} from '../../src/engine/mixture.js';
import { RATE_TEST_DEFAULTS, RateTest, type EvidenceScope } from '../../src/engine/rate-test.js';
import { binomial, normal, poisson, seeded } from '../../__fixtures__/random.js';

function logChoose(n: number, k: number): number {
  let sum = 0;
  for (let i = 1; i <= k; i++) sum += Math.log(n - k + i) - Math.log(i);
  return sum;
}

function binomialLogPmf(x: number, n: number, p: number): number {
  return logChoose(n, x) + x * Math.log(p) + (n - x) * Math.log(1 - p);
}

describe('RateTest', () => {
  it("gives the whole run's log-likelihood drop to a boundary, for a single look at a fixed time", () => {
    // No dispersion prior and two periods (too few events for a residual): untempered, so the drop is
    // the binomial one on the grid (step 0.025 from the anchor), the boundary rounded towards the data.
    const test = new RateTest({ anchor: 0, priorDispersion: 0 });
    const periods: [number, number, number, number][] = [
      [4, 1000, 40, 9000],
      [6, 1000, 44, 9000],
    ];
    for (const [x, nc, y, nb] of periods) test.add(x, nc, y, nb);
    const logLik = (logTheta: number): number =>
      periods.reduce((sum, [x, nc, y, nb]) => {
        const p = (Math.exp(logTheta) * nc) / (Math.exp(logTheta) * nc + nb);
        return sum + x * Math.log(p) + y * Math.log(1 - p);
      }, 0);
    let best = -Infinity;
    for (let k = -200; k <= 240; k++) best = Math.max(best, logLik(k * 0.025));
    const boundary = Math.log(2);
    const onGrid = Math.floor(boundary / 0.025) * 0.025;
    expect(test.logLikelihoodDrop(boundary, 1)).toBeCloseTo(best - logLik(onGrid), 9);
    // On the estimate's side of the boundary there is nothing to reject.
    expect(test.logLikelihoodDrop(Math.log(0.5), 1)).toBe(0);
    expect(test.logLikelihoodDrop(Math.log(2), -1)).toBe(0);
  });

  it('matches the mixture of binomial likelihood ratios written out with factorials', () => {
    const boundary = 1.2;
    const test = new RateTest({ anchor: Math.log(boundary) });
    const periods = [
      { x: 9, nc: 400, y: 21, nb: 1600 },
      { x: 14, nc: 450, y: 30, nb: 1500 },
      { x: 3, nc: 100, y: 11, nb: 900 },
    ];
    // One period's prior dispersion would temper the first period; check the untempered case by
    // making the prior zero and the data exactly binomial-consistent is not needed: read the tempers.
    for (const p of periods) test.add(p.x, p.nc, p.y, p.nb);
    const tempers = replayTempers(periods);
    expect(test.logEvidenceAbove(Math.log(boundary))).toBeCloseTo(
      directEvidence(periods, tempers, boundary, 0, promoteMixture),
      9,
    );
  });

  it('mixes copies restarted later into the any-start evidence, with copies not yet started worth 1', () => {
    const boundary = 1.2;
    const test = new RateTest({
      anchor: Math.log(boundary),
      horizon: 6,
      restartEvery: 2,
      firstWeight: 0.7,
      restartDecay: 0,
    });
    const periods = [
      { x: 4, nc: 300, y: 15, nb: 1200 },
      { x: 6, nc: 310, y: 14, nb: 1150 },
      { x: 19, nc: 290, y: 16, nb: 1210 },
    ];
    for (const p of periods) test.add(p.x, p.nc, p.y, p.nb);
    const tempers = replayTempers(periods);
    // Copies at periods 0 (weight 0.7), 2 and 4 (0.15 each); the one at 4 has not started.
    expect(restartSchedule(6, 2, 0.7, 0).map((r) => [r.start, Math.exp(r.logWeight)])).toEqual([
      [0, 0.7],
      [2, expect.closeTo(0.15, 12)],
      [4, expect.closeTo(0.15, 12)],
    ]);
    const expected = Math.log(
      0.7 * Math.exp(directEvidence(periods, tempers, boundary, 0, rollbackMixture)) +
        0.15 * Math.exp(directEvidence(periods, tempers, boundary, 2, rollbackMixture)) +
        0.15,
    );
    expect(test.logEvidenceAbove(Math.log(boundary), 'any-start')).toBeCloseTo(expected, 9);
    expect(test.logEvidenceAbove(Math.log(boundary), 'whole-run')).toBeCloseTo(
      directEvidence(periods, tempers, boundary, 0, promoteMixture),
      9,
    );
  });

  it('establishes a regression that starts late sooner with restarts than over the whole run', () => {
    const test = new RateTest({ anchor: Math.log(1.2) });
    const crossed = { 'any-start': -1, 'whole-run': -1 };
    for (let i = 0; i < 30; i++) {
      test.add(i < 10 ? 10 : 30, 1000, 40, 4000);
      for (const scope of ['any-start', 'whole-run'] as const) {
        if (crossed[scope] < 0 && test.logEvidenceAbove(Math.log(1.2), scope) >= Math.log(200)) {
          crossed[scope] = i;
        }
      }
    }
    expect(crossed['any-start']).toBeGreaterThanOrEqual(10);
    expect(crossed['any-start']).toBeLessThan(crossed['whole-run']);
  });

  it('reads the onset of a regression as a change, not as overdispersion', () => {
    // Exact expected counts: no noise at all, the ratio steps from 1 to 3 at period 10.
    const feed = (test: RateTest): void => {
      for (let i = 0; i < 20; i++) test.add(i < 10 ? 20 : 60, 2000, 20, 2000);
    };
    const windowed = new RateTest({ anchor: Math.log(1.2) });
    const allEarlier = new RateTest({ anchor: Math.log(1.2), residualWindow: 1000 });
    feed(windowed);
    feed(allEarlier);
    expect(RATE_TEST_DEFAULTS.residualWindow).toBe(3);
    // Against all earlier periods, every period after the step is a large residual; against the last
    // three, only the three right after it are.
    expect(allEarlier.dispersion()).toBeGreaterThan(3 * windowed.dispersion());
    expect(windowed.logEvidenceAbove(Math.log(1.2), 'any-start')).toBeGreaterThan(
      allEarlier.logEvidenceAbove(Math.log(1.2), 'any-start') + 5,
    );
  });

  it('computes the Mantel–Haenszel rate ratio', () => {
    const test = new RateTest({ anchor: Math.log(1.2) });
    test.add(10, 100, 20, 400);
    test.add(6, 50, 30, 450);
    // Σ x·Nb/N / Σ y·Nc/N = (10·400/500 + 6·450/500) / (20·100/500 + 30·50/500) = 13.4 / 7
    expect(test.ratio()).toBeCloseTo(13.4 / 7, 12);
  });

  it('ignores periods where an arm served no requests', () => {
    const test = new RateTest({ anchor: 0 });
    expect(test.add(0, 0, 5, 100)).toBe(false);
    expect(test.totals.periods).toBe(0);
  });

  it('is unmoved by an incident that multiplies both arms alike', () => {
    const steady = new RateTest({ anchor: Math.log(1.2) });
    const incident = new RateTest({ anchor: Math.log(1.2) });
    for (let i = 0; i < 10; i++) {
      steady.add(5, 500, 5, 500);
      incident.add(i === 4 ? 50 : 5, 500, i === 4 ? 50 : 5, 500);
    }
    expect(steady.ratio()).toBeCloseTo(1, 12);
    expect(incident.ratio()).toBeCloseTo(1, 12);
    expect(incident.logEvidenceAbove(Math.log(1.2))).toBeLessThan(0);
  });

  it('establishes a doubled error rate and bounds it in its interval', () => {
    const test = new RateTest({ anchor: Math.log(1.2) });
    for (let i = 0; i < 10; i++) test.add(40, 1000, 20, 1000);
    expect(test.logEvidenceAbove(Math.log(1.2))).toBeGreaterThan(Math.log(100));
    const [low, high] = test.interval(0.01, 0.01);
    expect(Math.exp(low)).toBeGreaterThan(1.2);
    expect(Math.exp(low)).toBeLessThan(2);
    expect(Math.exp(high)).toBeGreaterThan(2);
  });

  it.each([
    ['binomial', 0],
    ['overdispersed (±25% per arm per minute)', 0.25],
  ])(
    'keeps false claims below α under 30 looks at the boundary, whole run and any start: %s',
    (_name, wobble) => {
      const random = seeded(wobble === 0 ? 11 : 12);
      const alpha = 0.05;
      const runs = 250;
      const scopes: EvidenceScope[] = ['whole-run', 'any-start'];
      const crossed = { 'whole-run': 0, 'any-start': 0 };
      for (let run = 0; run < runs; run++) {
        const test = new RateTest({ anchor: Math.log(1.2) });
        const rate = 0.002 + 0.018 * random();
        const traffic = 200 + 3000 * random();
        const open = new Set(scopes);
        for (let period = 0; period < 30 && open.size > 0; period++) {
          const nc = poisson(random, traffic * 0.3);
          const nb = poisson(random, traffic * 0.7);
          const noise = (): number => Math.exp(wobble * normal(random) - (wobble * wobble) / 2);
          const x = poisson(random, nc * rate * 1.2 * noise());
          const y = poisson(random, nb * rate * noise());
          test.add(x, nc, y, nb);
          for (const scope of open) {
            if (test.logEvidenceAbove(Math.log(1.2), scope) >= Math.log(1 / alpha)) {
              crossed[scope] += 1;
              open.delete(scope);
            }
          }
        }
      }
      expect(crossed['whole-run'] / runs).toBeLessThanOrEqual(alpha);
      expect(crossed['any-start'] / runs).toBeLessThanOrEqual(alpha);
    },
  );

  it('draws binomial data as the model says (sanity of the helper)', () => {
    const random = seeded(3);
    let total = 0;
    for (let i = 0; i < 200; i++) total += binomial(random, 100, 0.3);
    expect(total / 200).toBeGreaterThan(28);
    expect(total / 200).toBeLessThan(32);
  });
});

type Period = { x: number; nc: number; y: number; nb: number };

const { step, mixtureMedian, mixtureSigma, promoteMixtureScale, tailWeight, tailMedian, tailSigma } =
  RATE_TEST_DEFAULTS;
/** Rollback claims ('any-start') mix two log-normals, promote claims ('whole-run') half-normally. */
const rollbackMixture = twoLogNormalMixture(
  step,
  { median: mixtureMedian, sigma: mixtureSigma },
  { median: tailMedian, sigma: tailSigma, weight: tailWeight },
);
const promoteMixture = halfNormalMixture(step, promoteMixtureScale);

/** log Σ_k w_k Π_{i ≥ from} [Bin(x_i; n_i, p(θ_k)) / Bin(x_i; n_i, p(θ*))]^(temper_i), by factorials. */
function directEvidence(
  periods: Period[],
  tempers: number[],
  boundary: number,
  from: number,
  mixture: MixtureComponent[],
): number {
  return logSumExp(
    mixture.map((c) => {
      const theta = boundary * Math.exp(c.offset * RATE_TEST_DEFAULTS.step);
      let llr = 0;
      periods.forEach((p, i) => {
        if (i < from) return;
        const share = (t: number): number => (t * p.nc) / (t * p.nc + p.nb);
        const n = p.x + p.y;
        llr +=
          (tempers[i] as number) *
          (binomialLogPmf(p.x, n, share(theta)) - binomialLogPmf(p.x, n, share(boundary)));
      });
      return c.logWeight + llr;
    }),
  );
}

/** The tempering factors the engine applies, recomputed from its documented rule. */
function replayTempers(periods: Period[]): number[] {
  const { priorDispersion, priorPeriods, inflation } = RATE_TEST_DEFAULTS;
  let excess = 0;
  let size = 0;
  let used = 0;
  let num = 0;
  let den = 0;
  let events = [0, 0];
  let requests = 0;
  return periods.map((p) => {
    const n = p.x + p.y;
    const all = p.nc + p.nb;
    const expected =
      requests > 0 ? (all * ((events[0] as number) + (events[1] as number) + 0.5)) / (requests + 1) : n;
    const typical = used > 0 ? Math.max(1, size / used) : Math.max(1, expected - 1);
    const prior = priorPeriods * typical;
    const rho =
      Math.max(0, (excess + prior * priorDispersion) / (size + prior)) *
      (1 + inflation / Math.sqrt(used + priorPeriods));
    const temper = 1 / (1 + Math.max(0, expected - 1) * rho);
    if ((events[0] as number) >= 5 && (events[1] as number) >= 5) {
      const theta = num / den;
      const share = (theta * p.nc) / (theta * p.nc + p.nb);
      const variance = n * share * (1 - share);
      excess +=
        (p.x - n * share) ** 2 / variance -
        1 -
        variance * (1 / (events[0] as number) + 1 / (events[1] as number));
      size += n - 1;
      used += 1;
    }
    events = [(events[0] as number) + p.x, (events[1] as number) + p.y];
    requests += all;
    num += (p.x * p.nb) / all;
    den += (p.y * p.nc) / all;
    return temper;
  });
}
