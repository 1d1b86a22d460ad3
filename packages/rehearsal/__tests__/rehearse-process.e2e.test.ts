// The rehearsal without Docker, as a newcomer's machine without it runs it: build-push's plan instead
// of a build, the tasks as local processes of examples/service, everything else as with Docker (the
// workflows' steps from the dists, the local load balancer's real traffic judged by canary-gate).
// With --regression, the shorter path: .ci/run's two Docker rehearsals cover the healthy one.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { isPidAlive } from '@ecs-ship/testing/process';
import { afterAll, describe, expect, it } from '@jest/globals';
import { rehearse } from '../src/rehearse.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const out = mkdtempSync(path.join(tmpdir(), 'rehearsal-process-'));

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('npm run rehearse -- --process', () => {
  it('rolls the regressed revision back in staging, judged on real requests to local processes', async () => {
    const lines: string[] = [];
    const result = await rehearse(
      root,
      { regression: true, strategy: 'canary', keep: false, out, tasks: 'process', rate: 10 },
      new AbortController().signal,
      (line) => lines.push(line),
    );
    const log = lines.join('\n');
    expect(result.mode).toBe('process');
    expect(log).toContain('build-push is not run without Docker; its plan');
    expect(result.outcome.status).toBe('rolled-back');
    expect(result.exitCode).toBe(0);
    expect(log).toContain('the rollback is the expected outcome (exit code 0)');
    // The change came as a pull request first, and pr-validate commented on it.
    expect(result.pullRequest).toEqual({ number: 42, result: 'success', comment: true });
    expect(result.stages.map((stage) => [stage.environment, stage.result])).toEqual([
      ['dev', 'success'],
      ['staging', 'failure'],
      ['prod', 'not-run'],
    ]);
    expect(result.outcome.gates.map((gate) => gate.decision)).toEqual(['rollback']);
    expect(result.outcome.sentence).toMatch(
      /^Staging rolled the new revision back and the promotion stopped before prod: .+ on the canary is /,
    );
    // Real requests reached every environment and were answered; the regressed revision's 5xx are real.
    for (const load of result.requests) expect(load.answered['200'] ?? 0).toBeGreaterThan(100);
    expect(
      result.requests.find((load) => load.environment === 'staging')?.answered['500'] ?? 0,
    ).toBeGreaterThan(0);
    // The exit codes of dev's migration and featurization and of staging's migration are the processes' own.
    expect(result.tasks.filter((task) => task.kind === 'one-off').map((task) => task.exitCode)).toEqual([
      0, 0, 0,
    ]);
    // Nothing the rehearsal started is left running.
    expect(result.cleanupFailures).toEqual([]);
    expect(result.tasks.filter((task) => task.pid !== undefined && isPidAlive(task.pid))).toEqual([]);
    // The run's directory: every summary, the report, the machine-readable result.
    const files = readdirSync(result.dir);
    expect(files).toEqual(expect.arrayContaining(['index.html', 'result.json', 'calls.json', 'steps']));
    expect(readdirSync(path.join(result.dir, 'steps')).length).toBeGreaterThan(10);
    const saved = JSON.parse(readFileSync(path.join(result.dir, 'result.json'), 'utf8')) as typeof result;
    expect(saved.outcome.status).toBe('rolled-back');
    expect(existsSync(path.join(result.dir, 'assets', 'mermaid.min.js'))).toBe(true);
  }, 600_000);
});
