/**
 * The suite's main job on embedded defaults, with nothing to configure: start examples/service on
 * 127.0.0.1 (slow start included, as a real model-loading service has), run the smoke-test action
 * from its committed dist/ exactly as the GitHub runner would, then let canary-gate judge the two
 * exported canaries in examples/canary (replay: no AWS, a simulated clock), print what the runner
 * would show, and stop the service. Exit code: 0 when the smoke test passed and the gate promoted
 * the healthy canary and rolled back the bad one.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDist } from '@ecs-ship/testing/dist-runner';
import { startExampleService } from '@ecs-ship/testing/example-service';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const service = await startExampleService({
  env: { API_KEY: 'demo-key-0001', STARTUP_DELAY_MS: '1500', APP_VERSION: 'demo' },
  waitUntilHealthy: false,
});
console.log(`example service (pid ${service.pid}) starting on ${service.url}, ready in ~1.5 s`);
try {
  const run = await runDist(path.join(root, 'actions/smoke-test'), {
    inputs: {
      'base-url': service.url,
      checks: 'examples/service/smoke-checks.yml',
      'deadline-seconds': '30',
      'retry-interval-seconds': '0.5',
      secrets: 'demo-key-0001',
    },
    workspace: root,
  });
  console.log('\n--- action log ---');
  process.stdout.write(run.stdout);
  console.log('\n--- outputs ---');
  for (const [name, value] of Object.entries(run.outputs)) console.log(`${name}=${value}`);
  console.log('\n--- job summary ---');
  process.stdout.write(run.summary);
  console.log(`\nexit code ${run.exitCode} after ${run.durationMs} ms`);
  process.exitCode = run.exitCode ?? 1;
} finally {
  await service.stop();
}

const expected: Record<string, string> = { 'healthy.json': 'promote', 'errors-x3.json': 'rollback' };
for (const [file, decision] of Object.entries(expected)) {
  const gate = await runDist(path.join(root, 'actions/canary-gate'), {
    inputs: {
      replay: `examples/canary/${file}`,
      'load-balancer': 'app/api/50dc6c495c0c9188',
      'canary-target-group': 'targetgroup/api-green/6d0ecf831eec9f09',
      'baseline-target-group': 'targetgroup/api-blue/1d0ecf831eec9f01',
    },
    workspace: root,
  });
  console.log(`\n--- canary-gate replay of examples/canary/${file} ---`);
  process.stdout.write(
    gate.stdout
      .split('\n')
      .filter((line) => !line.startsWith('::debug::'))
      .join('\n'),
  );
  console.log(
    `\ndecision=${gate.outputs.decision} elapsed-seconds=${gate.outputs['elapsed-seconds']} (simulated)`,
  );
  if (gate.outputs.decision !== decision) process.exitCode = 1;
}
