import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { IAM_ACTIONS } from '../src/iam.js';

// Every command class the gate's source imports from the SDK must have its IAM action listed, and
// the README's policy must list exactly those actions.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const listed: string[] = [...IAM_ACTIONS.read, ...IAM_ACTIONS.roles, ...IAM_ACTIONS.act];

function commandsImported(): string[] {
  const sources = [
    ...['alarms.ts', 'cloudwatch-source.ts', 'deployment-control.ts', 'post-step.ts'].map((file) =>
      path.join(root, 'src', file),
    ),
    // The shared module the gate reads traffic roles with.
    path.join(root, '..', '..', 'packages', 'shared', 'src', 'traffic-roles.ts'),
  ].map((file) => readFileSync(file, 'utf8'));
  const found = new Set<string>();
  for (const source of sources) {
    for (const match of source.matchAll(
      /from '@aws-sdk\/client-(cloudwatch|ecs|elastic-load-balancing-v2)'/g,
    )) {
      const block = source.slice(source.lastIndexOf('import', match.index), match.index);
      const service = match[1] === 'elastic-load-balancing-v2' ? 'elasticloadbalancing' : match[1];
      for (const command of block.matchAll(/(\w+)Command\b/g)) found.add(`${service}:${command[1]}`);
    }
  }
  return [...found].sort();
}

describe('IAM actions', () => {
  it('lists every command the gate can send', () => {
    expect(commandsImported()).toEqual([...listed].sort());
  });

  it('matches the README policy', () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const policy = /```json\n(\{[\s\S]*?"Statement"[\s\S]*?\})\n```/.exec(readme)?.[1] ?? '{}';
    const actions = (JSON.parse(policy) as { Statement: Array<{ Action: string[] }> }).Statement.flatMap(
      (statement) => statement.Action,
    );
    expect(actions.sort()).toEqual([...listed].sort());
  });
});
