/*
 * How far the rate test's false-claim rate holds under overdispersion: npx tsx bench/canary/overdispersion.ts
 * [--runs 1000] [--out bench/results/overdispersion.md]
 *
 * Data exactly at the tolerance boundary (canary rate 1.2 × baseline, the least favourable healthy
 * canary), each arm's per-minute error rate multiplied by its own lognormal wobble, 30 looks; the
 * share of runs whose rollback evidence (whole run, and the mixture over restarts the gate uses)
 * ever reaches 1/α. A valid test stays at or below α. Not part of CI.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { option } from './cli-option.js';
import { RateTest } from '../../actions/canary-gate/src/engine/rate-test.js';
import { Random } from './random.js';

const ALPHA = 0.05;
const TOLERANCE = 1.2;
const PERIODS = 30;
const WOBBLES = [0, 0.15, 0.25, 0.4, 0.5];

const runs = Number(option('runs', '1000'));
const out = option('out', 'bench/results/overdispersion.md');
const lines = [
  '# Rate test under overdispersion',
  '',
  `${runs} runs per wobble, α = ${ALPHA}, canary at the ${TOLERANCE}× boundary, ${PERIODS} looks; ` +
    'traffic 200–3,200 requests a minute (30% canary), baseline 5xx rate 0.2–2%.',
  '',
  '| Per-arm per-minute wobble (lognormal σ) | False claims, whole run | False claims, any start |',
  '| --- | --- | --- |',
];
for (const [index, wobble] of WOBBLES.entries()) {
  const random = new Random(4242 + index);
  const crossed = { whole: 0, any: 0 };
  for (let run = 0; run < runs; run++) {
    const test = new RateTest({ anchor: Math.log(TOLERANCE) });
    const rate = 0.002 + 0.018 * random.uniform();
    const traffic = 200 + 3000 * random.uniform();
    let whole = false;
    let any = false;
    for (let period = 0; period < PERIODS; period++) {
      const canaryRequests = random.poisson(traffic * 0.3);
      const baselineRequests = random.poisson(traffic * 0.7);
      const noise = (): number => Math.exp(wobble * random.normal() - (wobble * wobble) / 2);
      const canaryErrors = random.poisson(canaryRequests * rate * TOLERANCE * noise());
      const baselineErrors = random.poisson(baselineRequests * rate * noise());
      test.add(canaryErrors, canaryRequests, baselineErrors, baselineRequests);
      whole ||= test.logEvidenceAbove(Math.log(TOLERANCE), 'whole-run') >= Math.log(1 / ALPHA);
      any ||= test.logEvidenceAbove(Math.log(TOLERANCE), 'any-start') >= Math.log(1 / ALPHA);
    }
    crossed.whole += whole ? 1 : 0;
    crossed.any += any ? 1 : 0;
  }
  const pct = (count: number): string => `${((100 * count) / runs).toFixed(1)}%`;
  const mark = (count: number): string => (count / runs > ALPHA ? ` (over α)` : '');
  lines.push(
    `| ±${Math.round(wobble * 100)}% (σ ${wobble}) | ${pct(crossed.whole)}${mark(crossed.whole)} | ${pct(crossed.any)}${mark(crossed.any)} |`,
  );
  console.log(lines.at(-1));
}
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${lines.join('\n')}\n`);
console.log(`wrote ${out}`);
