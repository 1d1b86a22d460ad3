/**
 * The suite's main job on embedded defaults, with nothing to configure: start examples/service on
 * 127.0.0.1 (slow start included, as a real model-loading service has), run the smoke-test action
 * from its committed dist/ exactly as the GitHub runner would, print what the runner would show,
 * and stop the service. Exit code: the action's.
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
