// `${{ }}` in workflow values, evaluated by GitHub's own evaluator (@actions/expressions) with the
// contexts each place of a workflow allows, and `if:` with its status functions.
import { Evaluator, Lexer, Parser, data } from '@actions/expressions';
import { ConfigurationError } from '@ecs-ship/shared/errors';
import { hashFiles } from './hash-files.js';

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value };

type FunctionMap = NonNullable<ConstructorParameters<typeof Evaluator>[2]>;
type FunctionDefinition = FunctionMap extends Map<string, infer F> ? F : never;

export type ContextName =
  | 'github'
  | 'env'
  | 'vars'
  | 'job'
  | 'jobs'
  | 'steps'
  | 'runner'
  | 'secrets'
  | 'strategy'
  | 'matrix'
  | 'needs'
  | 'inputs';

/**
 * The contexts GitHub makes available at each place of a workflow ("Context availability" in the
 * contexts reference); an expression that reads another fails as it does on GitHub.
 */
export const PLACES = {
  'workflow-env': ['github', 'secrets', 'inputs', 'vars'],
  'workflow-concurrency': ['github', 'inputs', 'vars'],
  'call-input-default': ['github', 'inputs', 'vars'],
  'call-outputs': ['github', 'jobs', 'vars', 'inputs'],
  'job-if': ['github', 'needs', 'vars', 'inputs'],
  'job-strategy': ['github', 'needs', 'vars', 'inputs'],
  'job-name': ['github', 'needs', 'strategy', 'matrix', 'vars', 'inputs'],
  'job-environment': ['github', 'needs', 'strategy', 'matrix', 'vars', 'inputs'],
  'job-concurrency': ['github', 'needs', 'strategy', 'matrix', 'inputs', 'vars'],
  'job-settings': ['github', 'needs', 'strategy', 'vars', 'matrix', 'inputs'],
  'job-env': ['github', 'needs', 'strategy', 'matrix', 'vars', 'secrets', 'inputs'],
  'job-with': ['github', 'needs', 'strategy', 'matrix', 'inputs', 'vars'],
  'job-secrets': ['github', 'needs', 'strategy', 'matrix', 'secrets', 'inputs', 'vars'],
  'job-outputs': [
    'github',
    'needs',
    'strategy',
    'matrix',
    'job',
    'runner',
    'env',
    'vars',
    'secrets',
    'steps',
    'inputs',
  ],
  'environment-url': [
    'github',
    'needs',
    'strategy',
    'matrix',
    'job',
    'runner',
    'env',
    'vars',
    'steps',
    'inputs',
  ],
  'step-if': ['github', 'needs', 'strategy', 'matrix', 'job', 'runner', 'env', 'vars', 'steps', 'inputs'],
  step: [
    'github',
    'needs',
    'strategy',
    'matrix',
    'job',
    'runner',
    'env',
    'vars',
    'secrets',
    'steps',
    'inputs',
  ],
  'action-input-default': ['github', 'strategy', 'matrix', 'job', 'runner', 'env', 'vars', 'steps', 'inputs'],
} as const satisfies Record<string, readonly ContextName[]>;

export type Place = keyof typeof PLACES;

export interface StatusFunctions {
  success(): boolean;
  failure(): boolean;
  cancelled(): boolean;
}

export interface Scope {
  /** Context values; a context the place allows but the scope lacks reads as null. */
  contexts: Partial<Record<ContextName, unknown>>;
  /** Checks each expression before it runs (strict references); throws to refuse it. */
  check?: (expression: string) => void;
  /** GITHUB_WORKSPACE, where hashFiles() looks; without it (outside steps) hashFiles() is an error. */
  workspace?: string;
}

const STATUS_FUNCTIONS = ['success', 'failure', 'cancelled', 'always'];

function hashFilesFunction(workspace: string | undefined): FunctionDefinition {
  return {
    name: 'hashFiles',
    minArgs: 1,
    maxArgs: 255,
    call: (...patterns) => {
      if (workspace === undefined) throw new ConfigurationError('hashFiles() is available in steps only');
      return new data.StringData(
        hashFiles(
          patterns.map((pattern) => pattern.coerceString()),
          workspace,
        ),
      );
    },
  };
}

/** A template value: typed when it is exactly one `${{ }}`, a string when it mixes text and expressions. */
export function evaluate(text: string, scope: Scope, place: Place): Value {
  const parts = splitTemplate(text);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (only && only.kind === 'expression') return fromData(run(only.text, scope, place, undefined));
  return parts
    .map((part) =>
      part.kind === 'literal' ? part.text : run(part.text, scope, place, undefined).coerceString(),
    )
    .join('');
}

export function interpolate(text: string, scope: Scope, place: Place): string {
  return toText(evaluate(text, scope, place));
}

/** Strings, maps and lists evaluated throughout (keys stay as written); other scalars as they are. */
export function evaluateDeep(value: unknown, scope: Scope, place: Place): Value {
  if (typeof value === 'string') return evaluate(value, scope, place);
  if (Array.isArray(value)) return value.map((item) => evaluateDeep(item, scope, place));
  if (value !== null && typeof value === 'object') {
    const result: Record<string, Value> = {};
    for (const [key, item] of Object.entries(value)) result[key] = evaluateDeep(item, scope, place);
    return result;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return value;
  return null;
}

/**
 * An `if:`. `${{ }}` around it is optional; without a status function it means `success() && (...)`.
 * A value that mixes text and `${{ }}` is a non-empty string, hence true, as on GitHub.
 */
export function evaluateCondition(
  condition: unknown,
  scope: Scope,
  place: Place,
  status: StatusFunctions,
  fallback = 'success()',
): boolean {
  let text = condition === undefined || condition === null ? '' : String(condition).trim();
  if (text === '') text = fallback;
  const parts = splitTemplate(text);
  const only = parts.length === 1 ? parts[0] : undefined;
  if (parts.some((part) => part.kind === 'expression') && !(only && only.kind === 'expression')) {
    return status.success() && interpolate(text, scope, place) !== '';
  }
  const expression = only && only.kind === 'expression' ? only.text : text;
  const wrapped = usesStatusFunction(expression) ? expression : `success() && (${expression})`;
  return truthy(run(wrapped, scope, place, status, expression));
}

export function toText(value: Value): string {
  return toData(value).coerceString();
}

export function truthy(value: data.ExpressionData): boolean {
  switch (value.kind) {
    case data.Kind.Null:
      return false;
    case data.Kind.Boolean:
      return (value as data.BooleanData).value;
    case data.Kind.Number: {
      const number = (value as data.NumberData).value;
      return number !== 0 && !Number.isNaN(number);
    }
    case data.Kind.String:
      return (value as data.StringData).value.length > 0;
    default:
      return true;
  }
}

export function toData(value: unknown): data.ExpressionData {
  if (isExpressionData(value)) return value;
  if (value === null || value === undefined) return new data.Null();
  if (typeof value === 'string') return new data.StringData(value);
  if (typeof value === 'number') return new data.NumberData(value);
  if (typeof value === 'boolean') return new data.BooleanData(value);
  if (Array.isArray(value)) return new data.Array(...value.map(toData));
  if (typeof value === 'object') {
    return new data.Dictionary(...Object.entries(value).map(([key, item]) => ({ key, value: toData(item) })));
  }
  return new data.StringData(String(value));
}

export function fromData(value: data.ExpressionData): Value {
  return JSON.parse(JSON.stringify(value, data.replacer) ?? 'null') as Value;
}

function isExpressionData(value: unknown): value is data.ExpressionData {
  return (
    value instanceof data.Null ||
    value instanceof data.StringData ||
    value instanceof data.NumberData ||
    value instanceof data.BooleanData ||
    value instanceof data.Array ||
    value instanceof data.Dictionary
  );
}

function run(
  expression: string,
  scope: Scope,
  place: Place,
  status: StatusFunctions | undefined,
  shown = expression,
): data.ExpressionData {
  const allowed: readonly ContextName[] = PLACES[place];
  try {
    scope.check?.(expression);
    const functions = new Map<string, FunctionDefinition>([
      ['hashfiles', hashFilesFunction(scope.workspace)],
    ]);
    if (status) {
      const answers: Record<string, () => boolean> = { ...bind(status), always: () => true };
      for (const name of STATUS_FUNCTIONS) {
        functions.set(name, {
          name,
          minArgs: 0,
          maxArgs: 0,
          call: () => new data.BooleanData(answers[name]?.() ?? false),
        });
      }
    }
    const tree = new Parser(
      new Lexer(expression).lex().tokens,
      [...allowed],
      [...functions.values()],
    ).parse();
    if (!tree) throw new ConfigurationError('an expression was expected');
    const context = new data.Dictionary(
      ...allowed.map((name) => ({ key: name, value: toData(scope.contexts[name] ?? null) })),
    );
    return new Evaluator(tree, context, functions).evaluate();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new ConfigurationError(`\${{ ${shown} }}: ${message}`);
  }
}

function bind(status: StatusFunctions): Record<string, () => boolean> {
  return {
    success: () => status.success(),
    failure: () => status.failure(),
    cancelled: () => status.cancelled(),
  };
}

function usesStatusFunction(expression: string): boolean {
  const tokens = new Lexer(expression).lex().tokens;
  return tokens.some(
    (token, i) => STATUS_FUNCTIONS.includes(token.lexeme.toLowerCase()) && tokens[i + 1]?.lexeme === '(',
  );
}

type TemplatePart = { kind: 'literal'; text: string } | { kind: 'expression'; text: string };

/** Literal text and `${{ }}` bodies; a `}}` inside a quoted string does not end an expression. */
export function splitTemplate(text: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let from = 0;
  for (;;) {
    const start = text.indexOf('${{', from);
    if (start === -1) {
      if (from < text.length) parts.push({ kind: 'literal', text: text.slice(from) });
      return parts;
    }
    if (start > from) parts.push({ kind: 'literal', text: text.slice(from, start) });
    let quoted = false;
    let end = -1;
    for (let i = start + 3; i < text.length; i++) {
      if (text[i] === "'") quoted = !quoted;
      else if (!quoted && text.startsWith('}}', i)) {
        end = i;
        break;
      }
    }
    if (end === -1)
      throw new ConfigurationError(`an expression is not closed with '}}': ${text.slice(start)}`);
    parts.push({ kind: 'expression', text: text.slice(start + 3, end).trim() });
    from = end + 2;
  }
}
