import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { expandFilePattern } from '../src/file-glob.js';
import {
  describeRecords,
  loadRecords,
  recordSucceeded,
  shortTaskDefinition,
  type DeployRecord,
} from '../src/records.js';

function tree(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'records-'));
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    writeFileSync(path.join(root, name), content);
  }
  return root;
}

const rec = (service: string, fields: Partial<DeployRecord> = {}): DeployRecord => ({
  service,
  rolledBack: false,
  source: `${service}.json`,
  ...fields,
});

describe('expandFilePattern', () => {
  const root = tree({
    'a/one.json': '{}',
    'a/two.json': '{}',
    'a/notes.txt': '',
    'a/deep/three.json': '{}',
    'b/x/four.json': '{}',
    '.hidden/five.json': '{}',
  });
  const rel = (files: string[]) => files.map((file) => path.relative(root, file));

  it.each([
    ['a file', 'a/one.json', ['a/one.json']],
    ['a directory (its JSON files)', 'a', ['a/one.json', 'a/two.json']],
    ['a star', 'a/*.json', ['a/one.json', 'a/two.json']],
    ['a question mark', 'a/t?o.json', ['a/two.json']],
    ['a double star', '**/*.json', ['a/deep/three.json', 'a/one.json', 'a/two.json', 'b/x/four.json']],
    ['a star directory', '*/x/*.json', ['b/x/four.json']],
    ['nothing', 'c/*.json', []],
    ['a missing file', 'missing.json', []],
  ])('matches %s', (_name, pattern, expected) => {
    expect(rel(expandFilePattern(pattern, root))).toEqual(expected);
  });

  it('takes absolute patterns as they are', () => {
    expect(rel(expandFilePattern(path.join(root, 'a', '*.json'), '/elsewhere'))).toEqual([
      'a/one.json',
      'a/two.json',
    ]);
  });
});

describe('loadRecords', () => {
  it('reads objects and lists, tolerating empty strings, and reports patterns that match nothing', () => {
    const root = tree({
      'r/api.json': JSON.stringify({
        service: 'api',
        status: 'succeeded',
        reason: '',
        previousTaskDefinitionArn: '',
      }),
      'r/more.json': JSON.stringify([{ service: 'worker', rolledBack: true, strategy: 'ROLLING' }]),
    });
    const { records, unmatched } = loadRecords(['r/*.json', 'none/*.json'], root);
    expect(records).toEqual([
      { service: 'api', status: 'succeeded', rolledBack: false, source: 'r/api.json' },
      { service: 'worker', strategy: 'ROLLING', rolledBack: true, source: 'r/more.json' },
    ]);
    expect(unmatched).toEqual(['none/*.json']);
  });

  it.each([
    ['invalid JSON', '{', 'Input "records": bad.json is not valid JSON'],
    [
      'no service',
      '{"status":"succeeded"}',
      'Input "records": bad.json: "service" must be the name of the service deployed',
    ],
    ['a non-boolean rolledBack', '{"service":"a","rolledBack":"yes"}', '"rolledBack" must be true or false'],
    ['a list item that is not a map', '[1]', 'Input "records": bad.json item 1 must be a map'],
  ])('refuses %s, naming the file', (_name, content, message) => {
    const root = tree({ 'bad.json': content });
    expect(() => loadRecords(['bad.json'], root)).toThrow(message);
  });
});

describe('describing records', () => {
  it.each<[string, DeployRecord[], string | undefined, string | undefined]>([
    ['none, no lead', [], undefined, undefined],
    ['none, a lead', [], 'deploy', 'deploy'],
    [
      'each service',
      [rec('api', { status: 'succeeded' }), rec('worker', { rolledBack: true })],
      undefined,
      'api: succeeded, worker: rolled back',
    ],
    ['with a lead', [rec('api', { status: 'succeeded' })], 'v1.2', 'v1.2 · api: succeeded'],
    [
      'counts when the list is too long',
      Array.from({ length: 12 }, (_, index) =>
        rec(`service-with-a-long-name-${index}`, { status: index < 10 ? 'succeeded' : 'failed' }),
      ),
      undefined,
      '12 services: 10 succeeded, 2 failed',
    ],
  ])('%s', (_name, records, lead, expected) => {
    const text = describeRecords(records, lead);
    expect(text).toBe(expected);
    expect((text ?? '').length).toBeLessThanOrEqual(140);
  });

  it('knows which records mean the new revision does not run', () => {
    expect(
      [
        rec('a', { status: 'succeeded' }),
        rec('b', { status: 'rolled-back' }),
        rec('c', { rolledBack: true }),
        rec('d', { status: 'FAILED' }),
        rec('e'),
      ].map(recordSucceeded),
    ).toEqual([true, false, false, false, true]);
  });

  it('shortens task definition ARNs to family:revision', () => {
    expect(shortTaskDefinition('arn:aws:ecs:eu-west-1:1:task-definition/api:12')).toBe('api:12');
    expect(shortTaskDefinition('api:3')).toBe('api:3');
    expect(shortTaskDefinition(undefined)).toBeUndefined();
  });
});

describe('loadRecords with a revert after the deploy', () => {
  it("lets a later pattern's record of a service replace the deploy job's, in deploy order", async () => {
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const root = mkdtempSync(path.join(tmpdir(), 'records-revert-'));
    mkdirSync(path.join(root, 'deploy'));
    mkdirSync(path.join(root, 'revert'));
    const write = (file: string, record: object) =>
      writeFileSync(path.join(root, file), JSON.stringify(record));
    write('deploy/1-api.json', { service: 'api', status: 'succeeded' });
    write('deploy/2-worker.json', { service: 'worker', status: 'failed' });
    write('revert/1-api.json', {
      service: 'api',
      status: 'reverted',
      rolledBack: true,
      reason: 'worker failed',
    });
    const { records } = loadRecords(['deploy/*.json', 'revert/*.json'], root);
    expect(records.map((record) => [record.service, record.status, record.rolledBack])).toEqual([
      ['api', 'reverted', true],
      ['worker', 'failed', false],
    ]);
  });
});
