import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { IAM_ACTIONS } from '../src/iam.js';

// Every ECR command the source sends must have its IAM action listed, and the README's policy must
// list exactly the control-plane, create and data-plane actions.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const sdkActions = [...IAM_ACTIONS.controlPlane, ...IAM_ACTIONS.createRepository];

function commandsSent(): string[] {
  const found = new Set<string>();
  const dir = path.join(root, 'src');
  for (const file of ['ecr.ts', 'main.ts', 'publish.ts', 'registry-client.ts']) {
    const source = readFileSync(path.join(dir, file), 'utf8');
    for (const match of source.matchAll(/new (\w+)Command\(/g)) found.add(`ecr:${match[1]}`);
  }
  return [...found].sort();
}

describe('IAM actions', () => {
  it('lists every command build-push sends through the SDK', () => {
    expect(commandsSent()).toEqual([...sdkActions].sort());
  });

  it('matches the README policy', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const policy = /```json\n(\{[\s\S]*?"Statement"[\s\S]*?\})\n```/.exec(readme)?.[1] ?? '{}';
    const actions = (JSON.parse(policy) as { Statement: Array<{ Action: string[] }> }).Statement.flatMap(
      (statement) => statement.Action,
    );
    expect(actions.sort()).toEqual([...sdkActions, ...IAM_ACTIONS.dataPlane].sort());
  });
});
