import { describe, expect, it } from '@jest/globals';
import { contextReferences, expressionsIn, matchesContext } from '../src/expressions.js';

describe('contextReferences', () => {
  it.each<[string, string[]]>([
    ['github.event.issue.title', ['github.event.issue.title']],
    ["format('{0} {1}', github.sha, steps.x.outputs.y)", ['github.sha', 'steps.x.outputs.y']],
    ["hashFiles('**/package-lock.json')", []],
    ["github.event_name == 'push' && !inputs.dry-run", ['github.event_name', 'inputs.dry-run']],
    ['fromJSON(steps.plan.outputs.matrix).include', ['steps.plan.outputs.matrix']],
    ["github.event['pull_request'].title", ['github.event.*.title']],
    ['toJSON(github.event.commits.*.message)', ['github.event.commits.*.message']],
    ["'github.event.issue.title'", []],
    ['true || null', []],
    ['1.5 > github.run_attempt', ['github.run_attempt']],
    ['GitHub.Event.Issue.Title', ['GitHub.Event.Issue.Title']],
  ])('%s reads %j', (expression, expected) => {
    expect(contextReferences(expression)).toEqual(expected);
  });
});

describe('matchesContext', () => {
  it.each<[string, string, boolean]>([
    ['runner.os', 'runner.*', true],
    ['runner.os.name', 'runner.*', false],
    ['STEPS.build.OUTCOME', 'steps.*.outcome', true],
    ['steps.build.outputs.digest', 'steps.*.outcome', false],
    ['github.sha', 'github.sha', true],
  ])('%s against %s is %s', (reference, pattern, expected) => {
    expect(matchesContext(reference, pattern)).toBe(expected);
  });
});

describe('expressionsIn', () => {
  it('finds each expression with its offset', () => {
    expect(expressionsIn('a ${{ x }} b ${{y}}')).toEqual([
      { body: 'x', offset: 2 },
      { body: 'y', offset: 13 },
    ]);
  });

  it('keeps an unclosed expression, which the runner still expands', () => {
    expect(expressionsIn('echo ${{ github.event.issue.title')).toEqual([
      { body: 'github.event.issue.title', offset: 5 },
    ]);
  });
});
