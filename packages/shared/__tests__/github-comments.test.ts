import { describe, expect, it } from '@jest/globals';
import {
  COMMENT_BODY_LIMIT,
  compareRunStamps,
  fitCommentBody,
  parseRunStamp,
  renderRunStamp,
  stickyMarker,
  stripMarkers,
  type RunStamp,
} from '../src/github-comments.js';

const stamp = (runId: string, attempt: number, sha = 'abc'): RunStamp => ({ runId, attempt, sha });

describe('run stamps', () => {
  it('renders and parses back', () => {
    const text = renderRunStamp(stamp('1234567890123', 3, 'f'.repeat(40)));
    expect(text).toBe(`<!-- ecs-ship:run id=1234567890123 attempt=3 sha=${'f'.repeat(40)} -->`);
    expect(parseRunStamp(text)).toEqual(stamp('1234567890123', 3, 'f'.repeat(40)));
    expect(parseRunStamp('<!-- ecs-ship:run id=x attempt=1 sha=a -->')).toBeUndefined();
    expect(parseRunStamp('text')).toBeUndefined();
  });

  it.each([
    ['older run', stamp('99', 9), stamp('100', 1), -1],
    ['newer run', stamp('100', 1), stamp('99', 9), 1],
    ['same run, earlier attempt', stamp('100', 1), stamp('100', 2), -1],
    ['same run, later attempt', stamp('100', 3), stamp('100', 2), 1],
    ['same run and attempt', stamp('100', 2, 'a'), stamp('100', 2, 'b'), 0],
    ['ids beyond 2^53', stamp('9007199254740993', 1), stamp('9007199254740992', 1), 1],
    ['more digits', stamp('1000', 1), stamp('999', 1), 1],
  ])('orders %s', (_name, a, b, expected) => {
    expect(compareRunStamps(a, b)).toBe(expected);
  });
});

describe('stripMarkers', () => {
  it.each([
    ['a marker', `${stickyMarker('pr-comment', 'k')}\nhi`, 'pr-comment:k -->\nhi'],
    ['a stamp without a space', '<!--ecs-ship:run id=1 attempt=1 sha=a -->', 'run id=1 attempt=1 sha=a -->'],
    ['mixed case', '<!--  ECS-SHIP:x -->', 'x -->'],
    ['one hidden inside another', '<!-- ecs-<!-- ecs-ship:ship:x -->', 'x -->'],
    ['plain text', 'no markers <!-- other -->', 'no markers <!-- other -->'],
  ])('removes %s', (_name, input, expected) => {
    expect(stripMarkers(input)).toBe(expected);
  });
});

describe('fitCommentBody', () => {
  const head = '<!-- m -->';

  it('leaves a body that fits as it is', () => {
    expect(fitCommentBody(head, 'short')).toEqual({ body: `${head}\nshort`, truncated: false });
    const exact = 'x'.repeat(COMMENT_BODY_LIMIT - head.length - 1);
    expect(fitCommentBody(head, exact).truncated).toBe(false);
  });

  it('cuts at a line boundary, within the limit, with a link to the run', () => {
    const content = Array.from({ length: 50 }, (_, index) => `line ${index} ${'y'.repeat(20)}`).join('\n');
    const { body, truncated } = fitCommentBody(head, content, { limit: 600, overflowUrl: 'https://run/1' });
    expect(truncated).toBe(true);
    expect(body.length).toBeLessThanOrEqual(600);
    const lines = body.split('\n');
    expect(lines[0]).toBe(head);
    expect(lines.at(-1)).toBe(
      "_Cut to fit GitHub's 600-character limit: the full text is in [the workflow run](https://run/1)._",
    );
    expect(lines.slice(1, -1).every((line) => /^line \d+ y{20}$/.test(line))).toBe(true);
    // As many whole lines as fit: one more would not.
    const kept = lines.length - 2;
    expect(body.length + `line ${kept} ${'y'.repeat(20)}`.length + 1).toBeGreaterThan(600);
  });

  it('closes an open code fence and <details> so the notice renders', () => {
    const content = [
      '<details><summary>log</summary>',
      '',
      '```text',
      ...Array.from({ length: 100 }, () => 'z'.repeat(30)),
    ].join('\n');
    const { body } = fitCommentBody(head, content, { limit: 500 });
    expect(body.length).toBeLessThanOrEqual(500);
    expect(body).toMatch(/z\n```\n<\/details>\n_Cut to fit/);
  });

  it('cuts inside a single over-long line without splitting a surrogate pair', () => {
    const { body } = fitCommentBody(head, '😀'.repeat(1000), { limit: 400 });
    expect(body.length).toBeLessThanOrEqual(400);
    expect(body).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
    expect(body.endsWith('the full text is in the workflow run._')).toBe(true);
  });

  it('keeps the real limit for a body far over it', () => {
    const content = Array.from({ length: 20_000 }, (_, index) => `row ${index}`).join('\n');
    const { body, truncated } = fitCommentBody(head, content, { overflowUrl: 'https://run/2' });
    expect(truncated).toBe(true);
    expect(body.length).toBeLessThanOrEqual(COMMENT_BODY_LIMIT);
    expect(body.length).toBeGreaterThan(COMMENT_BODY_LIMIT - 200);
  });
});
