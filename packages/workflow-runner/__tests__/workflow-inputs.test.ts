import { describe, expect, it } from '@jest/globals';
import { callInputs, checkCallSecrets, declaredInputs, dispatchInputs } from '../src/workflow-inputs.js';

const declared = declaredInputs({
  inputs: {
    name: { type: 'string', required: true },
    count: { type: 'number', default: 1 },
    'dry-run': { type: 'boolean', default: false },
    level: { type: 'choice', options: ['dev', 'prod'], default: 'dev' },
    note: { type: 'string' },
    flag: { type: 'boolean' },
  },
});
const literal = (value: unknown) => value as never;

describe('callInputs', () => {
  it('applies defaults and the empty value of each type', () => {
    expect(callInputs(declared, { name: 'x' }, literal, 'w')).toEqual({
      name: 'x',
      count: 1,
      'dry-run': false,
      level: 'dev',
      note: '',
      flag: false,
    });
  });

  it.each<[Record<string, unknown>, string]>([
    [
      { name: 'x', colour: 'red' },
      "w: input 'colour' is not declared by on.workflow_call.inputs (declared: name, count, dry-run, level, note, flag)",
    ],
    [{}, "w: input 'name' is required and was not given"],
    [{ name: 'x', 'dry-run': 'true' }, `w: input 'dry-run' expects a boolean, got "true" (string)`],
    [{ name: 'x', count: '2' }, `w: input 'count' expects a number, got "2" (string)`],
    [{ name: 'x', level: 'qa' }, `w: input 'level' expects one of dev, prod, got "qa" (string)`],
  ])('refuses %j', (given, message) => {
    expect(() => callInputs(declared, given as never, literal, 'w')).toThrow(message);
  });
});

describe('dispatchInputs', () => {
  it('reads booleans and numbers from the strings the API carries', () => {
    expect(
      dispatchInputs(declared, { name: 'x', count: '5', 'dry-run': 'true', flag: true }, 'w'),
    ).toMatchObject({
      count: 5,
      'dry-run': true,
      flag: true,
    });
    expect(() => dispatchInputs(declared, { name: 'x', count: 'five' }, 'w')).toThrow(
      `w: input 'count' expects a number, got "five" (string)`,
    );
  });
});

describe('checkCallSecrets', () => {
  const secrets = [
    { name: 'token', required: true },
    { name: 'extra', required: false },
  ];
  it('refuses undeclared secrets unless inherited, and missing required ones', () => {
    expect(() => checkCallSecrets(secrets, ['token', 'other'], false, 'w')).toThrow(
      "w: secret 'other' is not declared by on.workflow_call.secrets (declared: token, extra)",
    );
    expect(() => checkCallSecrets(secrets, ['token', 'other'], true, 'w')).not.toThrow();
    expect(() => checkCallSecrets(secrets, ['extra'], false, 'w')).toThrow(
      "w: secret 'token' is required and was not given",
    );
  });
});
