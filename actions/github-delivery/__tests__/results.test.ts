import { describe, expect, it } from '@jest/globals';
import { parseResults, renderResultsTable, resultsHeadline, type CheckResult } from '../src/results.js';

const where = 'Input "results-file" (r.json)';

describe('parseResults', () => {
  it('reads the list, url optional', () => {
    expect(
      parseResults(
        JSON.stringify([
          { check: 'lint', status: 'pass', summary: 'ok' },
          { check: 'td', status: 'warn', summary: '', url: 'https://x.test/1' },
        ]),
        where,
      ),
    ).toEqual([
      { check: 'lint', status: 'pass', summary: 'ok' },
      { check: 'td', status: 'warn', summary: '', url: 'https://x.test/1' },
    ]);
  });

  it.each([
    ['not JSON', '{', 'is not valid JSON'],
    ['not a list', '{}', 'must be a list'],
    [
      'an unknown status',
      '[{"check":"a","status":"ok","summary":""}]',
      'item 1: "status" must be one of pass, fail, skip, warn; got "ok"',
    ],
    ['no check name', '[{"status":"pass","summary":""}]', 'item 1: "check" must be the name of the check'],
    ['an unknown field', '[{"check":"a","status":"pass","summary":"","extra":1}]', 'unknown field "extra"'],
    [
      'a javascript: url',
      '[{"check":"a","status":"pass","summary":"","url":"javascript:alert(1)"}]',
      '"url" must be an http(s) URL',
    ],
  ])('refuses %s', (_name, text, message) => {
    expect(() => parseResults(text, where)).toThrow(message);
  });
});

describe('rendering', () => {
  const results: CheckResult[] = [
    { check: 'lint', status: 'pass', summary: 'no findings' },
    {
      check: '<b>x</b> | y',
      status: 'fail',
      summary: 'line 1\nline 2 | <script>',
      url: 'https://ci.test/a b(c)|d',
    },
    { check: 'smoke', status: 'skip', summary: '' },
    { check: 'replay', status: 'warn', summary: 'marginal' },
  ];

  it('escapes HTML, pipes, brackets and line breaks from untrusted text', () => {
    expect(renderResultsTable(results).split('\n')).toEqual([
      '| | Check | Summary |',
      '| :---: | --- | --- |',
      '| ✅ | lint | no findings |',
      '| ❌ | [&lt;b&gt;x&lt;/b&gt; \\| y](https://ci.test/a%20b%28c%29%7Cd) | line 1<br>line 2 \\| &lt;script&gt; |',
      '| ⏭️ | smoke |  |',
      '| ⚠️ | replay | marginal |',
    ]);
  });

  it.each<[string, CheckResult[], string]>([
    ['all passed', [results[0]!], '✅ 1 of 1 check passed'],
    ['a failure', results, '❌ 1 of 4 checks failed, 1 warning, 1 skipped'],
    ['warnings only', [results[0]!, results[3]!], '⚠️ 1 of 2 checks passed, 1 warning'],
    ['nothing', [], 'ℹ️ No checks reported.'],
  ])('headline when %s', (_name, list, headline) => {
    expect(resultsHeadline(list)).toBe(headline);
  });
});
