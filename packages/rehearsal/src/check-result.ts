// CI's check of a rehearsal, from its own machine-readable result: the outcome it should have had,
// nothing left running, and its index.html rendered in headless Chromium with every chart drawn.
//   tsx packages/rehearsal/src/check-result.ts <out dir> <success|rolled-back> [docker|process]
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { checkReportInBrowser } from './browser-check.js';
import type { RehearsalResult } from './rehearse.js';

async function main(): Promise<number> {
  const [out, expected, mode] = process.argv.slice(2);
  if (!out || (expected !== 'success' && expected !== 'rolled-back')) {
    process.stderr.write('usage: check-result.ts <out dir> <success|rolled-back> [docker|process]\n');
    return 2;
  }
  const runs = readdirSync(path.join(out, 'rehearsal')).sort();
  const latest = runs[runs.length - 1];
  if (!latest) throw new Error(`no rehearsal under ${out}/rehearsal`);
  const dir = path.join(out, 'rehearsal', latest);
  const result = JSON.parse(readFileSync(path.join(dir, 'result.json'), 'utf8')) as RehearsalResult;
  const problems: string[] = [];
  if (result.outcome.status !== expected)
    problems.push(`outcome ${result.outcome.status}, expected ${expected}: ${result.outcome.sentence}`);
  if (result.exitCode !== 0) problems.push(`exit code ${result.exitCode}`);
  if (mode && result.mode !== mode) problems.push(`mode ${result.mode}, expected ${mode}`);
  if (result.cleanupFailures.length > 0) problems.push(`left running: ${result.cleanupFailures.join('; ')}`);
  const screenshot = path.join(dir, 'screenshot.png');
  const browser = await checkReportInBrowser(result.indexHtml, { screenshot });
  // The charts are canary-gate's, one point a period: a healthy run always has them, while a
  // rollback may come after a single period (the gate learnt the noise from the lookback), which
  // its summary shows as a table. Whatever charts there are must all render.
  const chartsNeeded = expected === 'success';
  if ((chartsNeeded && browser.diagrams === 0) || browser.rendered !== browser.diagrams)
    problems.push(`${browser.rendered} of ${browser.diagrams} mermaid charts rendered`);
  if (browser.timelineCharts === 0) problems.push('no timeline chart');
  problems.push(...browser.errors.map((error) => `browser: ${error}`));
  process.stdout.write(
    `rehearsal ${latest}: ${result.outcome.status} (${result.mode}), ${(result.realMs / 1000).toFixed(0)} s real, ` +
      `overhead ${(result.overhead.share * 100).toFixed(1)}%; ${browser.rendered}/${browser.diagrams} charts rendered, ` +
      `${browser.timelineCharts} timelines; screenshot ${screenshot}\n`,
  );
  for (const problem of problems) process.stderr.write(`  ✗ ${problem}\n`);
  return problems.length === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
