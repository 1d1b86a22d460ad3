/**
 * Writes examples/canary/*.json: two exported CloudWatch windows (a healthy canary and one whose
 * 5xx rate triples), in the format `aws cloudwatch get-metric-data` prints, for the demo and for
 * users to try canary-gate's replay on. Seeded: running it again writes the same files.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { albTraffic, HEALTHY_TRAFFIC } from '../actions/canary-gate/__fixtures__/traffic.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const start = Date.UTC(2026, 10, 20, 14, 0);
// A busy API: 10,000 requests a minute, a quarter on the canary, 0.5% errors at baseline.
const busy = {
  ...HEALTHY_TRAFFIC,
  start,
  minutes: 30,
  canaryRequestsPerMinute: 2500,
  baselineRequestsPerMinute: 7500,
  baselineErrorRate: 0.005,
};
const examples = {
  'healthy.json': { ...busy, seed: 41 },
  'errors-x3.json': { ...busy, seed: 42, errorRatio: 3 },
};
for (const [name, options] of Object.entries(examples)) {
  writeFileSync(
    path.join(root, 'examples/canary', name),
    `${JSON.stringify(albTraffic(options), null, 1)}\n`,
  );
  console.log(`wrote examples/canary/${name}`);
}
