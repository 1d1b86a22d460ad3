import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { checkTargets, dockerfileStages } from '../src/dockerfile.js';
import type { Variant } from '../src/variant.js';

const variant = (overrides: Partial<Variant>): Variant => ({
  name: 'cuda',
  buildArgs: {},
  tagSuffix: '',
  paths: ['**'],
  platforms: [],
  ...overrides,
});

describe('dockerfileStages', () => {
  it.each<[string, string[], string[]]>([
    ['platform flag and AS', ['FROM --platform=$BUILDPLATFORM python:3.12 AS builder'], ['builder']],
    ['lowercase from and as', ['from scratch as cpu'], ['cpu']],
    ['mixed case', ['From scratch As Cuda'], ['Cuda']],
    ['an unnamed stage', ['FROM scratch', 'FROM base AS final'], ['final']],
    ['tabs and extra spaces', ['FROM\tscratch \t AS   spaced  '], ['spaced']],
    ['a comment line', ['# FROM ignored AS comment', 'FROM scratch AS real'], ['real']],
    ['an indented comment', ['   # FROM ignored AS comment'], []],
    ['FROM text inside another instruction', ['RUN echo "FROM x AS y"', 'LABEL a="FROM z AS w"'], []],
    ['a line continuation', ['FROM \\', '  nvidia/cuda:12.1-runtime \\', '  AS cuda'], ['cuda']],
    ['a continuation with trailing spaces', ['FROM scratch \\   ', 'AS trailing'], ['trailing']],
    [
      'comment and blank lines inside a continuation',
      ['FROM \\', '# a comment', '', '  scratch AS joined'],
      ['joined'],
    ],
    ['a continued RUN that mentions FROM', ['RUN echo one \\', '  FROM x AS y'], []],
    [
      'the escape directive',
      ['# escape=`', 'FROM scratch `', '  AS windows', 'FROM c:\\base AS second'],
      ['windows', 'second'],
    ],
    ['a directive after a comment is a comment', ['# hello', '# escape=`', 'FROM scratch `', 'AS x'], []],
    ['a syntax directive', ['# syntax=docker/dockerfile:1', 'FROM scratch AS s'], ['s']],
    ['CRLF line ends', ['FROM scratch AS crlf\r', 'FROM crlf AS next\r'], ['crlf', 'next']],
    ['a heredoc body', ['RUN <<EOF', 'FROM inside AS heredoc', 'EOF', 'FROM scratch AS after'], ['after']],
    [
      'a quoted heredoc with <<-',
      ['COPY <<-"END" /x', '\tFROM inside AS heredoc', '\tEND', 'FROM s AS ok'],
      ['ok'],
    ],
    ['two heredocs', ['RUN <<A <<B', 'FROM a AS no', 'A', 'FROM b AS no2', 'B', 'FROM s AS yes'], ['yes']],
    ['a FROM with too many words', ['FROM scratch AS one two'], []],
    [
      'the issue’s two targets',
      ['FROM scratch AS base', 'FROM base AS cpu', 'FROM base AS cuda'],
      ['base', 'cpu', 'cuda'],
    ],
  ])('%s', (_, lines, stages) => {
    expect(dockerfileStages(lines.join('\n'))).toEqual(stages);
  });
});

describe('checkTargets', () => {
  it('refuses a target that is not a stage, naming the variant, the field, the stages and the value', () => {
    const check = () =>
      checkTargets(
        [variant({ name: 'cpu', target: 'cpu' }), variant({ name: 'cuda', target: 'gpu' })],
        ['base', 'cpu', 'cuda'],
        'examples/service/Dockerfile',
      );
    expect(check).toThrow(ConfigurationError);
    expect(check).toThrow(
      'variants[1] (cuda).target must be a stage of examples/service/Dockerfile (base, cpu, cuda); got "gpu".',
    );
  });

  it('says so when the Dockerfile names no stage', () => {
    expect(() => checkTargets([variant({ target: 'cpu' })], [], 'Dockerfile')).toThrow(
      'variants[0] (cuda).target must be a stage of Dockerfile (it names no stage with FROM ... AS); got "cpu".',
    );
  });

  it('matches stage names case-insensitively, as BuildKit does, and lets a variant without target pass', () => {
    expect(() =>
      checkTargets([variant({ target: 'CUDA' }), variant({ name: 'last' })], ['cuda'], 'Dockerfile'),
    ).not.toThrow();
  });
});
