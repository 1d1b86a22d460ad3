import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runDist, type DistRun } from '@ecs-ship/testing/dist-runner';
import type { GitHubApiFake } from '@ecs-ship/testing/github-api-fake';

/** The action's folder, whose built dist/index.js the e2e tests run as the runner would. */
export const actionDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export const TOKEN = 'ghs_e2eDeliveryToken0123456789';
/** runDist's runner defaults, repeated here for assertions. */
export const OWNER = 'octo-org';
export const REPO = 'octo-repo';
export const RUN_ID = '1000000001';
export const SHA = '0123456789abcdef0123456789abcdef01234567';
export const RUN_URL = `https://github.com/${OWNER}/${REPO}/actions/runs/${RUN_ID}/attempts/1`;

export function digest(seed: string): string {
  return `sha256:${seed.repeat(64).slice(0, 64)}`;
}

export interface DeliverOptions {
  env?: Record<string, string>;
  event?: unknown;
  workspace?: string;
}

/** One run of the built action against the GitHub API fake, with the token the fake expects. */
export function deliver(
  api: GitHubApiFake,
  inputs: Record<string, string>,
  options: DeliverOptions = {},
): Promise<DistRun> {
  return runDist(actionDir, {
    inputs: { 'github-token': TOKEN, ...inputs },
    env: { GITHUB_API_URL: api.url, ...options.env },
    ...(options.event !== undefined ? { event: options.event } : {}),
    ...(options.workspace !== undefined ? { workspace: options.workspace } : {}),
  });
}

/** A fresh workspace holding `files` (relative path → content). */
export function workspaceWith(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'github-delivery-e2e-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

/** The token reaches the process only as an input; it must not show anywhere we can see. */
export function expectNoToken(run: DistRun): void {
  for (const text of [
    run.stdout.replace(`::add-mask::${TOKEN}`, ''),
    run.stderr,
    run.summary,
    JSON.stringify(run.outputs),
  ]) {
    if (text.includes(TOKEN)) throw new Error(`the token leaked: ${text.slice(0, 300)}`);
  }
}
