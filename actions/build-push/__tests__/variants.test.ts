import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { parseYamlText } from '@ecs-ship/shared/inputs';
import { parseVariants } from '../src/variants.js';

const parse = (yaml: string | undefined, context = '.', source = 'inline') =>
  parseVariants(yaml === undefined ? undefined : parseYamlText(yaml, 'input "variants"'), source, context);

describe('parseVariants', () => {
  it('defaults to one variant "default" made of the whole context', () => {
    expect(parse(undefined)).toEqual([
      { name: 'default', buildArgs: {}, tagSuffix: '', paths: ['**'], platforms: [] },
    ]);
    expect(parse(undefined, 'services/api')[0]?.paths).toEqual(['services/api/**']);
    expect(parse('~')[0]?.name).toBe('default');
  });

  it('reads the issue’s cpu and cuda variants', () => {
    expect(
      parse(`
- name: cpu
  target: cpu
  paths: src/**
- name: cuda
  target: cuda
  tag-suffix: -cuda
  build-args: { TORCH_INDEX_URL: https://download.pytorch.org/whl/cu121, WORKERS: 4, DEBUG: false }
  paths: [Dockerfile, ./src/features/**, "!**/*.md"]
  platforms: [linux/amd64, linux/arm64/v8, linux/amd64]
`),
    ).toEqual([
      { name: 'cpu', target: 'cpu', buildArgs: {}, tagSuffix: '', paths: ['src/**'], platforms: [] },
      {
        name: 'cuda',
        target: 'cuda',
        buildArgs: {
          TORCH_INDEX_URL: 'https://download.pytorch.org/whl/cu121',
          WORKERS: '4',
          DEBUG: 'false',
        },
        tagSuffix: '-cuda',
        paths: ['Dockerfile', 'src/features/**', '!**/*.md'],
        platforms: ['linux/amd64', 'linux/arm64/v8'],
      },
    ]);
  });

  it('takes build args as a list of NAME=value and platforms as a comma list', () => {
    const [variant] = parse(`
- name: cuda
  build-args: ["TORCH_INDEX_URL=https://x/whl?a=b", "EMPTY="]
  platforms: linux/amd64, linux/arm64
`);
    expect(variant?.buildArgs).toEqual({ TORCH_INDEX_URL: 'https://x/whl?a=b', EMPTY: '' });
    expect(variant?.platforms).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('accepts paths inside the context, and globs that may reach into it', () => {
    const [variant] = parse(
      '- name: api\n  paths: [services/api/src/**, "**/*.py", services/*/shared/**, services, "!docs/**"]',
      'services/api',
    );
    expect(variant?.paths).toEqual([
      'services/api/src/**',
      '**/*.py',
      'services/*/shared/**',
      'services',
      '!docs/**',
    ]);
  });

  it.each<[string, string, string?]>([
    [
      'name: cpu',
      'Input "variants" must be a YAML list of variants, each with at least a name (- name: cpu); got {"name":"cpu"}.',
    ],
    [
      '[]',
      'Input "variants" must be a YAML list of variants, each with at least a name (- name: cpu); got [].',
    ],
    ['- cpu', 'variants[0] must be a mapping with at least "name" (name: cpu); got "cpu".'],
    [
      '- target: cpu',
      'variants[0].name must be up to 63 lowercase letters, digits, "_", "." or "-", starting with a letter or digit (e.g. cpu, cuda); got nothing.',
    ],
    ['- name: CPU', 'variants[0].name must be up to 63 lowercase letters'],
    ['- name: -cpu', 'got "-cpu".'],
    ['- name: 7', 'got 7.'],
    ['- name: cpu\n- name: cpu', 'variants[1].name must be unique; "cpu" is also variants[0].'],
    [
      '- name: cpu\n- name: cuda\n  build_args: { A: 1 }',
      'variants[1] (cuda) has the unknown field "build_args" (did you mean "build-args"?); the fields are name, target, build-args, tag-suffix, paths, platforms.',
    ],
    [
      '- name: cpu\n  tagSuffix: -x',
      'variants[0] (cpu) has the unknown field "tagSuffix" (did you mean "tag-suffix"?)',
    ],
    ['- name: cpu\n  platform: linux/amd64', '(did you mean "platforms"?)'],
    ['- name: cpu\n  tags: [x]', 'variants[0] (cpu) has the unknown field "tags"; the fields are'],
    [
      '- name: cpu\n  target: 3',
      'variants[0] (cpu).target must be a Dockerfile stage name such as cuda; got 3.',
    ],
    [
      '- name: cpu\n  target: "my stage"',
      'variants[0] (cpu).target must be a Dockerfile stage name such as cuda; got "my stage".',
    ],
    [
      '- name: cpu\n  tag-suffix: "/x"',
      'variants[0] (cpu).tag-suffix must be up to 40 of A-Z a-z 0-9 _ . - (e.g. -cuda); got "/x".',
    ],
    [
      '- name: cpu\n  tag-suffix: [a]',
      'variants[0] (cpu).tag-suffix must be up to 40 of A-Z a-z 0-9 _ . - (e.g. -cuda); got ["a"].',
    ],
    [
      '- name: cpu\n  paths: []',
      'variants[0] (cpu).paths must be a list of globs such as [src/features/**]; got [].',
    ],
    [
      '- name: cpu\n  paths: { a: b }',
      'variants[0] (cpu).paths must be a list of globs such as [src/features/**]; got {"a":"b"}.',
    ],
    ['- name: cpu\n  paths: [src/**, 3]', 'variants[0] (cpu).paths[1] must be a non-empty string; got 3.'],
    ['- name: cpu\n  paths: ["  "]', 'variants[0] (cpu).paths[0] must be a non-empty string; got "  ".'],
    [
      '- name: cpu\n  paths: [/src/**]',
      'variants[0] (cpu).paths[0] must be relative to the repository root, without a leading /; got "/src/**".',
    ],
    [
      '- name: cpu\n  paths: [src/../etc/**]',
      'variants[0] (cpu).paths[0] must be relative to the repository root, without . or .. segments; got "src/../etc/**".',
    ],
    [
      '- name: cpu\n  paths: [.]',
      'variants[0] (cpu).paths[0] must be a glob such as src/features/** (for the whole context, leave paths out); got ".".',
    ],
    [
      '- name: cpu\n  paths: ["src/[ab.py"]',
      'variants[0] (cpu).paths[0] must be a glob whose [...] classes are closed; got "src/[ab.py".',
    ],
    [
      '- name: cpu\n  paths: ["src\\\\"]',
      'variants[0] (cpu).paths[0] must be a glob that does not end in a lone \\',
    ],
    [
      '- name: cpu\n  paths: ["!**/*.md"]',
      'variants[0] (cpu).paths must hold at least one glob that is not an exclusion (! excludes from the others); got ["!**/*.md"].',
    ],
    [
      '- name: api\n  paths: [src/**]',
      'variants[0] (api).paths[0] must be inside the build context services/api (paths are relative to the repository root, and files outside the context cannot be in the image): write "services/api/src/**"; got "src/**".',
      'services/api',
    ],
    ['- name: api\n  paths: [services/web/**]', 'write "services/api/services/web/**"', 'services/api'],
    [
      '- name: cpu\n  build-args: A=1',
      'variants[0] (cpu).build-args must be a mapping of NAME: value (TORCH_INDEX_URL: https://...), or a list of NAME=value; got a string.',
    ],
    [
      '- name: cpu\n  build-args: ["NOEQUALS"]',
      'variants[0] (cpu).build-args[0] must be NAME=value; got a string.',
    ],
    [
      '- name: cpu\n  build-args: { "A-B": 1 }',
      'variants[0] (cpu).build-args names must be letters, digits and _ not starting with a digit (like TORCH_INDEX_URL); got "A-B".',
    ],
    ['- name: cpu\n  build-args: ["A=1", "A=2"]', 'variants[0] (cpu).build-args.A is given twice.'],
    [
      '- name: cpu\n  build-args: { A: { nested: 1 } }',
      'variants[0] (cpu).build-args.A must be a string, number or boolean (quote it in YAML); got a mapping.',
    ],
    [
      '- name: cpu\n  build-args: { A: ~ }',
      'variants[0] (cpu).build-args.A must be a string, number or boolean (quote it in YAML); got nothing.',
    ],
    [
      '- name: cpu\n  platforms: [amd64]',
      'variants[0] (cpu).platforms[0] must be os/arch or os/arch/variant such as linux/amd64 or linux/arm64/v8; got "amd64".',
    ],
    [
      '- name: cpu\n  platforms: "linux/amd64,"',
      'variants[0] (cpu).platforms[1] must be os/arch or os/arch/variant',
    ],
    ['- name: cpu\n  platforms: [Linux/AMD64]', 'got "Linux/AMD64".'],
  ])('refuses %j', (yaml, message, context = '.') => {
    const run = () => parse(yaml, context);
    expect(run).toThrow(ConfigurationError);
    expect(run).toThrow(message);
  });

  it('names the file the variants came from', () => {
    expect(() => parse('- name: cpu\n  target: 3', '.', 'ci/variants.yml')).toThrow(
      'Input "variants" (ci/variants.yml): variants[0] (cpu).target must be a Dockerfile stage name such as cuda; got 3.',
    );
    expect(() => parse('- name: cpu\n- name: cpu', '.', 'ci/variants.yml')).toThrow(
      'Input "variants" (ci/variants.yml): variants[1].name must be unique',
    );
  });

  it('never quotes a build-arg value back in its errors', () => {
    let message = '';
    try {
      parse('- name: cpu\n  build-args: ["hunter2-no-equals-sign"]');
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe('variants[0] (cpu).build-args[0] must be NAME=value; got a string.');
  });
});
