/*
 * Runs scenarios for run.ts in a child process, one message per scenario: receives
 * { index, runs, seed }, answers { index, rows, seconds }. Ends when run.ts disconnects.
 */
import { runScenario } from './scenario-run.js';

export interface ScenarioRequest {
  index: number;
  runs: number;
  seed: number;
}

process.on('message', (request: ScenarioRequest) => {
  const started = Date.now();
  const rows = runScenario(request.index, request.runs, request.seed);
  process.send?.({ index: request.index, rows, seconds: (Date.now() - started) / 1000 });
});
