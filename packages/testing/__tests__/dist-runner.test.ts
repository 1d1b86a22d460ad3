import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DistRunTimeoutError, inputEnvName, parseFileCommand, runDist } from '@ecs-ship/testing/dist-runner';

// The real @actions/core, imported by absolute URL because the scripts live outside the repo.
const CORE = pathToFileURL(join(process.cwd(), 'node_modules/@actions/core/lib/core.js')).href;

let actionDir: string;

async function script(name: string, source: string): Promise<void> {
  await mkdir(join(actionDir, 'dist'), { recursive: true });
  await writeFile(join(actionDir, 'dist', name), source);
}

beforeAll(async () => {
  actionDir = await mkdtemp(join(tmpdir(), 'dist-runner-test-'));
  await writeFile(join(actionDir, 'package.json'), JSON.stringify({ type: 'module' }));
  await script(
    'index.js',
    `import * as core from '${CORE}';
const baseUrl = core.getInput('base-url', { required: true });
core.setOutput('base-url', baseUrl);
core.setOutput('multi', 'line one\\nline two');
core.setOutput('spaced', core.getInput('wait minutes'));
core.saveState('deployment-id', '42');
core.exportVariable('EXPORTED', 'yes');
core.addPath('/opt/tool/bin');
core.setSecret('s3cr3t');
core.warning('careful');
await core.summary.addHeading('Deployed').addRaw('all good').write();
core.setOutput('leaked', String(Object.keys(process.env).filter((k) => k.startsWith('AWS_ACCESS')).length));
core.setOutput('cwd', process.cwd());
`,
  );
  await script(
    'post.js',
    `import * as core from '${CORE}';
core.info('cleanup of ' + core.getState('deployment-id'));
core.setFailed('post failed on purpose');
`,
  );
  await script('hang.js', `setInterval(() => {}, 1000); console.log('started');\n`);
});

afterAll(async () => {
  await rm(actionDir, { recursive: true, force: true });
});

describe('runDist', () => {
  it('runs the entry as the runner does and parses @actions/core file commands', async () => {
    const developerKey = process.env.AWS_ACCESS_KEY_ID;
    process.env.AWS_ACCESS_KEY_ID = 'developer-key-that-must-not-leak';
    const run = await runDist(actionDir, {
      inputs: { 'base-url': 'http://127.0.0.1:1', 'wait minutes': '5' },
      workspace: actionDir,
    }).finally(() => {
      if (developerKey === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = developerKey;
    });

    expect(run.stderr).toBe('');
    expect(run.exitCode).toBe(0);
    expect(run.outputs).toEqual({
      'base-url': 'http://127.0.0.1:1',
      multi: 'line one\nline two',
      spaced: '5',
      leaked: '0',
      cwd: actionDir,
    });
    expect(run.state).toEqual({ 'deployment-id': '42' });
    expect(run.exportedEnv).toEqual({ EXPORTED: 'yes' });
    expect(run.addedPath).toEqual(['/opt/tool/bin']);
    expect(run.summary).toContain('<h1>Deployed</h1>');
    expect(run.commands).toEqual(['::add-mask::s3cr3t', '::warning::careful']);
    expect(run.env['INPUT_BASE-URL']).toBe('http://127.0.0.1:1');
    expect(run.env.INPUT_WAIT_MINUTES).toBe('5');
    expect(run.env.GITHUB_ACTIONS).toBe('true');
    expect(run.durationMs).toBeGreaterThan(0);
  });

  it('passes state to a post step and reports its failure', async () => {
    const main = await runDist(actionDir, { inputs: { 'base-url': 'x' } });
    const post = await runDist(actionDir, { entry: 'dist/post.js', state: main.state });

    expect(post.exitCode).toBe(1);
    expect(post.stdout).toContain('cleanup of 42');
    expect(post.commands).toEqual(['::error::post failed on purpose']);
  });

  it('fails the step when a required input is missing', async () => {
    const run = await runDist(actionDir, {});
    expect(run.exitCode).not.toBe(0);
    expect(run.stderr).toContain('Input required and not supplied: base-url');
  });

  it('kills a run that exceeds timeoutMs and says so', async () => {
    const error = await runDist(actionDir, { entry: 'dist/hang.js', timeoutMs: 500 }).catch(
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(DistRunTimeoutError);
    expect((error as DistRunTimeoutError).message).toMatch(/killed after exceeding timeoutMs=500/);
    expect((error as DistRunTimeoutError).run.stdout).toBe('started\n');
  });

  it('interrupts a run with SIGINT once its output says so, as a cancelled run is', async () => {
    await script(
      'cancellable.js',
      `process.on('SIGINT', () => { console.log('got SIGINT'); process.exit(3); });
console.log('waiting at the pause');
setTimeout(() => console.log('never interrupted'), 10000);
`,
    );
    const run = await runDist(actionDir, {
      entry: 'dist/cancellable.js',
      interrupt: { when: /waiting at the pause/ },
      timeoutMs: 5_000,
    });
    expect(run.stdout).toContain('got SIGINT');
    expect(run.stdout).not.toContain('never interrupted');
    expect(run.exitCode).toBe(3);
  });

  it('names a missing entry', async () => {
    await expect(runDist(actionDir, { entry: 'dist/nope.js' })).rejects.toThrow(/nope\.js does not exist/);
  });
});

describe('inputEnvName', () => {
  it.each([
    ['base-url', 'BASE-URL'],
    ['wait minutes', 'WAIT_MINUTES'],
    ['task_definition', 'TASK_DEFINITION'],
  ])('%s -> INPUT_%s', (name, expected) => {
    expect(inputEnvName(name)).toBe(expected);
  });
});

describe('parseFileCommand', () => {
  it('reads heredoc and name=value entries; later ones win', () => {
    const text = [
      'a<<ghadelimiter_1',
      'x',
      '',
      'y',
      'ghadelimiter_1',
      'b=1=2',
      'a<<EOF',
      'z',
      'EOF',
      'empty<<D',
      'D',
      '',
    ].join('\n');
    expect(parseFileCommand(text)).toEqual({ a: 'z', b: '1=2', empty: '' });
  });

  it('rejects an unterminated heredoc', () => {
    expect(() => parseFileCommand('a<<D\nvalue\n')).toThrow(/missing its delimiter D/);
  });
});
