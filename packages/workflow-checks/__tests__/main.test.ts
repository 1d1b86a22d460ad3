import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../src/main.js';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '__fixtures__');
const scratch = mkdtempSync(join(tmpdir(), 'workflow-checks-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function run(...argv: string[]) {
  let out = '';
  let err = '';
  const code = main(argv, { out: (text) => (out += text), err: (text) => (err += text) }, fixtures);
  return { code, out, err };
}

function repository(name: string, files: Record<string, string>): string {
  const root = join(scratch, name);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

describe('main', () => {
  it('prints file:line: rule: message per finding and exits 1', () => {
    const { code, out, err } = run('--root', 'secrets-inherit/broken');
    expect(code).toBe(1);
    expect(out).toBe(
      '.github/workflows/release.yml:11: secrets-inherit: job "build" passes every secret to ./.github/workflows/build.yml; ' +
        'pass only those it declares (secrets: { NAME: ${{ secrets.NAME }} })\n',
    );
    expect(err).toBe('workflow-checks: 1 finding(s) in 2 file(s) checked\n');
  });

  it('exits 0 with nothing on stdout when every rule passes', () => {
    expect(run('--root=secrets-inherit/fixed')).toEqual({
      code: 0,
      out: '',
      err: 'workflow-checks: 0 finding(s) in 2 file(s) checked\n',
    });
  });

  it('reads --workflows and --self', () => {
    const { code, out } = run(
      '--root',
      'self-repository',
      '--workflows',
      'examples/workflows',
      '--self',
      'acme/ship',
    );
    expect([code, out.split('\n').filter(Boolean).length]).toEqual([1, 4]);
  });

  it('reports a file that is not YAML, rather than passing it', () => {
    const root = repository('not-yaml', {
      '.github/workflows/ci.yml':
        'on: push\njobs:\n  a:\n    steps:\n      - run: curl -H "Authorization: x"\n',
    });
    const { code, out } = run('--root', root);
    expect(code).toBe(1);
    expect(out).toMatch(/^\.github\/workflows\/ci\.yml:5: yaml: /);
  });

  it.each<[string, string[], string]>([
    [
      'a missing workflow directory',
      ['--root', 'permissions/fixed', '--workflows', 'nowhere'],
      'workflow directory nowhere does not exist',
    ],
    ['an unknown argument', ['--fix'], 'unknown argument "--fix"'],
    ['a flag without its value', ['--root'], '--root needs a value'],
    ['a --self that is not OWNER/REPO', ['--self', 'ship'], '--self must be OWNER/REPO; got "ship"'],
  ])('exits 2 on %s', (_, argv, message) => {
    const { code, out, err } = run(...argv);
    expect([code, out]).toEqual([2, '']);
    expect(err).toContain(message);
    expect(err).toContain('usage: workflow-checks');
  });

  it('exits 2 when there is no workflow to check: nothing checked is not a pass', () => {
    const root = repository('empty', { '.github/workflows/README.md': 'no workflows here\n' });
    const { code, err } = run('--root', root);
    expect(code).toBe(2);
    expect(err).toContain('no workflow files (*.yml, *.yaml) in .github/workflows');
  });

  it('prints its usage on --help', () => {
    expect(run('--help')).toMatchObject({ code: 0, out: expect.stringContaining('--workflows') });
  });
});
