import { describe, expect, it } from '@jest/globals';
import { checkRelayTarget, renderCommentBody } from '../src/pr-comment.js';

const base = {
  title: 'Validation',
  headSha: 'a'.repeat(40),
  runId: '42',
  runAttempt: 2,
  runUrl: 'https://github.com/o/r/actions/runs/42/attempts/2',
};

describe('renderCommentBody', () => {
  it('renders results under the title with the headline and a footer', () => {
    const body = renderCommentBody({
      ...base,
      content: {
        kind: 'results',
        file: 'r.json',
        results: [{ check: 'lint', status: 'pass', summary: 'ok' }],
      },
    });
    expect(body).toBe(
      [
        '### Validation',
        '',
        '**✅ 1 of 1 check passed**',
        '',
        '| | Check | Summary |',
        '| :---: | --- | --- |',
        '| ✅ | lint | ok |',
        '',
        `<sub>Commit \`aaaaaaaaaaaa\` · [run 42, attempt 2](${base.runUrl})</sub>`,
        '',
      ].join('\n'),
    );
  });

  it('puts a Markdown body as it is', () => {
    const body = renderCommentBody({
      ...base,
      content: { kind: 'body', file: 'b.md', text: '- a\n- b\n\n' },
    });
    expect(body.split('\n').slice(0, 4)).toEqual(['### Validation', '', '- a', '- b']);
  });
});

describe('checkRelayTarget', () => {
  const inputs = { pullRequest: 9, headSha: 'a'.repeat(40) };
  it.each([
    ['open at the head', { state: 'open', headSha: 'A'.repeat(40) }, undefined],
    [
      'moved on',
      { state: 'open', headSha: 'b'.repeat(40) },
      `its head is ${'b'.repeat(40)}, not ${'a'.repeat(40)}`,
    ],
    ['closed', { state: 'closed', headSha: 'a'.repeat(40) }, 'it is closed'],
    ['closed and moved on', { state: 'closed', headSha: 'b'.repeat(40) }, 'it is closed and its head is'],
  ])('%s', (_name, pull, message) => {
    if (message === undefined) expect(() => checkRelayTarget(pull, inputs)).not.toThrow();
    else expect(() => checkRelayTarget(pull, inputs)).toThrow(message);
  });
});
