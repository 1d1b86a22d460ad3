import { ConfigurationError } from '@ecs-ship/shared/errors';
import { variantLabel, type Variant } from './variant.js';

const NAME = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const TARGET = /^[A-Za-z][A-Za-z0-9_.-]*$/;
/** 40 characters keep `<64-hex sha><suffix>` (SHA-256 repositories) under Docker's 128. */
const SUFFIX = /^[A-Za-z0-9_.-]{0,40}$/;
const ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const PLATFORM = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const FIELDS = ['name', 'target', 'build-args', 'tag-suffix', 'paths', 'platforms'] as const;

/**
 * The `variants` input, already parsed from YAML: a list of variants. Unset gives one variant
 * `default` made of the whole context. `source` says where the YAML came from (`inline`, a file);
 * `context` is the build context relative to the repository root ('.' for the root). Every error
 * names the variant and the field, what was expected and what was given.
 */
export function parseVariants(value: unknown, source: string, context: string): Variant[] {
  const from = source === 'inline' || source === 'default' ? '' : `Input "variants" (${source}): `;
  const wholeContext = context === '.' ? '**' : `${context}/**`;
  if (value === undefined || value === null) {
    return [{ name: 'default', buildArgs: {}, tagSuffix: '', paths: [wholeContext], platforms: [] }];
  }
  if (!Array.isArray(value) || value.length === 0) {
    throw new ConfigurationError(
      `${from}Input "variants" must be a YAML list of variants, each with at least a name (- name: cpu); got ${describe(value)}.`,
    );
  }
  const variants = value.map((entry, index) => {
    try {
      return parseVariant(entry, index, context, wholeContext);
    } catch (error) {
      if (error instanceof ConfigurationError && from)
        throw new ConfigurationError(`${from}${error.message}`);
      throw error;
    }
  });
  const seen = new Map<string, number>();
  variants.forEach((variant, index) => {
    const earlier = seen.get(variant.name);
    if (earlier !== undefined) {
      throw new ConfigurationError(
        `${from}variants[${index}].name must be unique; "${variant.name}" is also variants[${earlier}].`,
      );
    }
    seen.set(variant.name, index);
  });
  return variants;
}

function parseVariant(entry: unknown, index: number, context: string, wholeContext: string): Variant {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigurationError(
      `variants[${index}] must be a mapping with at least "name" (name: cpu); got ${describe(entry)}.`,
    );
  }
  const fields = entry as Record<string, unknown>;
  const name = fields.name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw new ConfigurationError(
      `variants[${index}].name must be up to 63 lowercase letters, digits, "_", "." or "-", starting with a letter or digit (e.g. cpu, cuda); got ${describe(name)}.`,
    );
  }
  const at = variantLabel({ name }, index);
  for (const key of Object.keys(fields)) {
    if ((FIELDS as readonly string[]).includes(key)) continue;
    const meant = FIELDS.find((field) => normalise(field) === normalise(key));
    throw new ConfigurationError(
      `${at} has the unknown field ${JSON.stringify(key)}${meant ? ` (did you mean "${meant}"?)` : ''}; the fields are ${FIELDS.join(', ')}.`,
    );
  }
  const target = optionalString(
    fields.target,
    `${at}.target`,
    TARGET,
    'a Dockerfile stage name such as cuda',
  );
  const tagSuffix =
    optionalString(
      fields['tag-suffix'],
      `${at}.tag-suffix`,
      SUFFIX,
      'up to 40 of A-Z a-z 0-9 _ . - (e.g. -cuda)',
    ) ?? '';
  const paths = stringList(fields.paths, `${at}.paths`, 'a list of globs such as [src/features/**]');
  if (paths && paths.every((glob) => glob.startsWith('!'))) {
    throw new ConfigurationError(
      `${at}.paths must hold at least one glob that is not an exclusion (! excludes from the others); got ${describe(paths)}.`,
    );
  }
  return {
    name,
    ...(target !== undefined ? { target } : {}),
    buildArgs: buildArgs(fields['build-args'], `${at}.build-args`),
    tagSuffix,
    paths: paths ? paths.map((glob, i) => checkGlob(glob, `${at}.paths[${i}]`, context)) : [wholeContext],
    platforms: platforms(fields.platforms, `${at}.platforms`),
  };
}

/** `build_args`, `buildArgs` and `BUILD-ARGS` all mean build-args. */
function normalise(key: string): string {
  return key
    .toLowerCase()
    .replace(/[-_\s]/g, '')
    .replace(/s$/, '');
}

function optionalString(
  value: unknown,
  where: string,
  pattern: RegExp,
  expected: string,
): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw new ConfigurationError(`${where} must be ${expected}; got ${describe(value)}.`);
  }
  return value;
}

/** A mapping `NAME: value`, or a list of `NAME=value` as docker/build-push-action takes them. */
function buildArgs(value: unknown, where: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const expected = 'a mapping of NAME: value (TORCH_INDEX_URL: https://...), or a list of NAME=value';
  let entries: Array<[string, unknown]>;
  if (Array.isArray(value)) {
    entries = value.map((item, i) => {
      const match = typeof item === 'string' ? /^([^=]*)=(.*)$/s.exec(item) : null;
      // The value may be a secret (it is checked later): show where it is, never what it holds.
      if (!match) throw new ConfigurationError(`${where}[${i}] must be NAME=value; got ${kind(item)}.`);
      return [match[1] as string, match[2]];
    });
  } else if (typeof value === 'object') {
    entries = Object.entries(value as Record<string, unknown>);
  } else {
    throw new ConfigurationError(`${where} must be ${expected}; got ${kind(value)}.`);
  }
  const args: Record<string, string> = {};
  for (const [name, raw] of entries) {
    if (!ARG_NAME.test(name)) {
      throw new ConfigurationError(
        `${where} names must be letters, digits and _ not starting with a digit (like TORCH_INDEX_URL); got ${JSON.stringify(name)}.`,
      );
    }
    if (name in args) throw new ConfigurationError(`${where}.${name} is given twice.`);
    if (typeof raw !== 'string' && typeof raw !== 'number' && typeof raw !== 'boolean') {
      throw new ConfigurationError(
        `${where}.${name} must be a string, number or boolean (quote it in YAML); got ${kind(raw)}.`,
      );
    }
    args[name] = String(raw);
  }
  return args;
}

function platforms(value: unknown, where: string): string[] {
  const list =
    typeof value === 'string'
      ? value.split(',').map((item) => item.trim())
      : stringList(value, where, 'a list such as [linux/amd64, linux/arm64]');
  if (!list) return [];
  for (const [i, platform] of list.entries()) {
    if (!PLATFORM.test(platform)) {
      throw new ConfigurationError(
        `${where}[${i}] must be os/arch or os/arch/variant such as linux/amd64 or linux/arm64/v8; got ${describe(platform)}.`,
      );
    }
  }
  return [...new Set(list)];
}

function stringList(value: unknown, where: string, expected: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigurationError(`${where} must be ${expected}; got ${describe(value)}.`);
  }
  return list.map((item, i) => {
    if (typeof item !== 'string' || item.trim() === '') {
      throw new ConfigurationError(`${where}[${i}] must be a non-empty string; got ${describe(item)}.`);
    }
    return item.trim();
  });
}

/**
 * One entry of `paths`, checked so that git gets a pattern it reads as the user meant: relative to
 * the repository root, brackets closed, and inside the build context (files outside it cannot be
 * in the image; the usual slip is writing the pattern relative to the context).
 */
function checkGlob(raw: string, where: string, context: string): string {
  const exclude = raw.startsWith('!');
  const glob = (exclude ? raw.slice(1) : raw).replace(/^(\.\/)+/, '');
  const fail = (expected: string): never => {
    throw new ConfigurationError(`${where} must be ${expected}; got ${JSON.stringify(raw)}.`);
  };
  if (glob === '' || glob === '.')
    fail('a glob such as src/features/** (for the whole context, leave paths out)');
  if (glob.startsWith('/')) fail('relative to the repository root, without a leading /');
  if (/[\0\n\r]/.test(glob)) fail('a single-line glob');
  if (glob.split('/').some((segment) => segment === '..' || segment === '.')) {
    fail('relative to the repository root, without . or .. segments');
  }
  if (/(^|[^\\])(\\\\)*\\$/.test(glob))
    fail('a glob that does not end in a lone \\ (it escapes the next character)');
  if (!bracketsClosed(glob)) fail('a glob whose [...] classes are closed');
  if (!exclude && context !== '.') {
    const fixed = fixedSegments(glob);
    const contextSegments = context.split('/');
    const common = Math.min(fixed.length, contextSegments.length);
    const diverges = fixed.slice(0, common).some((segment, i) => segment !== contextSegments[i]);
    if (diverges) {
      throw new ConfigurationError(
        `${where} must be inside the build context ${context} (paths are relative to the repository root, and files outside the context cannot be in the image): write ${JSON.stringify(`${context}/${glob}`)}; got ${JSON.stringify(raw)}.`,
      );
    }
  }
  return exclude ? `!${glob}` : glob;
}

/** The leading directories of a glob that hold no wildcard (all of them but the last for a plain name). */
function fixedSegments(glob: string): string[] {
  const segments = glob.split('/');
  const firstWild = segments.findIndex((segment) => /[*?[\\]/.test(segment));
  return firstWild === -1 ? segments : segments.slice(0, firstWild);
}

function bracketsClosed(glob: string): boolean {
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i];
    if (char === '\\') {
      i += 1;
    } else if (char === '[') {
      let j = i + 1;
      if (glob[j] === '!' || glob[j] === '^') j += 1;
      if (glob[j] === ']') j += 1; // a leading ] is a member of the class
      while (j < glob.length && glob[j] !== ']') j += 1;
      if (j >= glob.length) return false;
      i = j;
    }
  }
  return true;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function kind(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `a ${typeof value}`;
}
