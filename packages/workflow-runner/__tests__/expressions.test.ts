import { describe, expect, it } from '@jest/globals';
import {
  evaluate,
  evaluateCondition,
  evaluateDeep,
  interpolate,
  splitTemplate,
  type Scope,
  type StatusFunctions,
} from '../src/expressions.js';

const scope: Scope = {
  contexts: {
    github: { event_name: 'push', ref: 'refs/heads/main', event: { commits: [{ id: 'a' }, { id: 'b' }] } },
    inputs: { 'dry-run': true, count: 3, name: 'api' },
    needs: { plan: { result: 'success', outputs: { services: '[{"service":"api"}]', flag: 'true' } } },
    secrets: { API_KEY: 'k' },
    env: { LEVEL: 'job' },
  },
};
const passing: StatusFunctions = { success: () => true, failure: () => false, cancelled: () => false };
const failing: StatusFunctions = { success: () => false, failure: () => true, cancelled: () => false };

describe('evaluate', () => {
  it.each<[string, unknown]>([
    ['${{ inputs.count }}', 3],
    ['${{ inputs.dry-run }}', true],
    ['${{ fromJSON(needs.plan.outputs.services) }}', [{ service: 'api' }]],
    ["${{ needs.plan.outputs.flag == 'true' }}", true],
    ['x-${{ inputs.count }}', 'x-3'],
    ['${{ inputs.dry-run }} and ${{ inputs.name }}', 'true and api'],
    ["${{ format('{0}/{1}', github.ref, inputs.name) }}", 'refs/heads/main/api'],
    ["${{ join(github.event.commits.*.id, '+') }}", 'a+b'],
    ["${{ contains(github.event.commits.*.id, 'b') }}", true],
    ["${{ startsWith(github.ref, 'refs/heads/') && endsWith(github.ref, 'MAIN') }}", true],
    ["${{ format('{{0}} {0}', 'x') }}", '{0} x'],
    ['${{ inputs.missing }}', null],
    ['plain text', 'plain text'],
  ])('%s is %j', (text, expected) => {
    expect(evaluate(text, scope, 'job-with')).toEqual(expected);
  });

  it('keeps the type of a whole expression and makes text of a template', () => {
    expect(interpolate('${{ toJSON(inputs) }}', scope, 'job-with')).toBe(
      '{\n  "dry-run": true,\n  "count": 3,\n  "name": "api"\n}',
    );
    expect(interpolate('${{ inputs.missing }}', scope, 'job-with')).toBe('');
  });

  it('evaluates the strings of maps and lists, keeping their keys as written', () => {
    expect(
      evaluateDeep(
        { matrix: { include: '${{ fromJSON(needs.plan.outputs.services) }}' }, n: 1 },
        scope,
        'job-strategy',
      ),
    ).toEqual({
      matrix: { include: [{ service: 'api' }] },
      n: 1,
    });
  });

  it('refuses a context the place does not have, in GitHub words', () => {
    expect(() => evaluate('${{ secrets.API_KEY }}', scope, 'job-with')).toThrow(
      "${{ secrets.API_KEY }}: Unrecognized named-value: 'secrets'",
    );
    expect(evaluate('${{ secrets.API_KEY }}', scope, 'step')).toBe('k');
  });

  it('refuses status functions outside if: and hashFiles() outside steps', () => {
    expect(() => evaluate('${{ success() }}', scope, 'step')).toThrow("Unrecognized function: 'success'");
    expect(() => evaluate("${{ hashFiles('x') }}", scope, 'job-with')).toThrow(
      'hashFiles() is available in steps only',
    );
  });

  it('reports an expression that is not closed or empty', () => {
    expect(() => evaluate('${{ inputs.name', scope, 'step')).toThrow("an expression is not closed with '}}'");
    expect(() => evaluate('${{ }}', scope, 'step')).toThrow('an expression was expected');
  });
});

describe('splitTemplate', () => {
  it('does not end an expression at }} inside a string', () => {
    expect(splitTemplate("a ${{ format('}}{0}', 'x') }} b")).toEqual([
      { kind: 'literal', text: 'a ' },
      { kind: 'expression', text: "format('}}{0}', 'x')" },
      { kind: 'literal', text: ' b' },
    ]);
  });
});

describe('evaluateCondition', () => {
  it('defaults to success()', () => {
    expect(evaluateCondition(undefined, scope, 'step-if', passing)).toBe(true);
    expect(evaluateCondition(undefined, scope, 'step-if', failing)).toBe(false);
  });

  it('means success() && (...) without a status function, with or without ${{ }}', () => {
    expect(evaluateCondition("github.event_name == 'push'", scope, 'step-if', passing)).toBe(true);
    expect(evaluateCondition("${{ github.event_name == 'push' }}", scope, 'step-if', failing)).toBe(false);
    expect(evaluateCondition(true, scope, 'step-if', failing)).toBe(false);
  });

  it('lets always(), failure() and !cancelled() decide', () => {
    expect(evaluateCondition('always()', scope, 'step-if', failing)).toBe(true);
    expect(evaluateCondition('failure()', scope, 'step-if', failing)).toBe(true);
    expect(evaluateCondition('failure()', scope, 'step-if', passing)).toBe(false);
    expect(
      evaluateCondition("${{ !cancelled() && needs.plan.result == 'success' }}", scope, 'job-if', failing),
    ).toBe(true);
  });

  it('is a non-empty string, so true, when text and ${{ }} are mixed', () => {
    expect(evaluateCondition('${{ false }} && true', scope, 'step-if', passing)).toBe(true);
  });

  it('has no secrets in an if, as on GitHub', () => {
    expect(() => evaluateCondition("secrets.API_KEY != ''", scope, 'step-if', passing)).toThrow(
      "${{ secrets.API_KEY != '' }}: Unrecognized named-value: 'secrets'",
    );
  });
});
