import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import {
  code,
  details,
  escapeCell,
  heading,
  inlineCode,
  list,
  mermaid,
  paragraph,
  renderSummary,
  table,
  writeSummaryFile,
} from '../src/summary.js';

describe('renderSummary', () => {
  it('renders every block type', () => {
    const markdown = renderSummary([
      heading('Smoke test: passed'),
      paragraph('All **3** checks passed.'),
      table(
        ['Check', 'Latency'],
        [
          ['health', '12 ms'],
          ['rank | v2', '40 ms'],
        ],
        ['left', 'right'],
      ),
      details('Attempts', [list(['first', 'second'], true)]),
      mermaid('flowchart LR\n  a --> b\n'),
      code('{"a":1}', 'json'),
    ]);
    expect(markdown).toBe(
      [
        '## Smoke test: passed',
        '',
        'All **3** checks passed.',
        '',
        '| Check | Latency |',
        '| --- | ---: |',
        '| health | 12 ms |',
        '| rank \\| v2 | 40 ms |',
        '',
        '<details>',
        '<summary>Attempts</summary>',
        '',
        '1. first',
        '2. second',
        '',
        '</details>',
        '',
        '```mermaid',
        'flowchart LR',
        '  a --> b',
        '```',
        '',
        '```json',
        '{"a":1}',
        '```',
        '',
      ].join('\n'),
    );
  });

  it('pads short rows and keeps cells on one line', () => {
    expect(renderSummary([table(['a', 'b'], [['only']])])).toContain('| only |  |');
    expect(escapeCell('line1\nline2|x')).toBe('line1<br>line2\\|x');
  });

  it('fences inline code around backticks', () => {
    expect(inlineCode('plain')).toBe('`plain`');
    expect(inlineCode('a`b')).toBe('``a`b``');
  });

  it('renders nothing for no blocks', () => {
    expect(renderSummary([])).toBe('');
  });
});

describe('writeSummaryFile', () => {
  it('appends to the step summary file', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'summary-')), 'summary.md');
    writeFileSync(file, 'before\n');
    expect(await writeSummaryFile(renderSummary([heading('Done')]), file)).toBe(true);
    expect(readFileSync(file, 'utf8')).toBe('before\n## Done\n');
  });

  it('does nothing without a file', async () => {
    expect(await writeSummaryFile('x', undefined)).toBe(false);
  });
});
