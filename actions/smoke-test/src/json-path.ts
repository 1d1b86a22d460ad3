import { JSONPath } from 'jsonpath-plus';

/**
 * jsonpath-plus evaluates leniently: "$.results[" quietly means "$.results". A typo in a check must
 * fail before any request instead of silently checking something else, so we check the syntax
 * first: a root, balanced brackets and quotes, no empty segment, and a trial evaluation that makes
 * filter expressions parse.
 */
export function jsonPathSyntaxError(path: string): string | undefined {
  if (!path.startsWith('$')) return 'a JSONPath starts with $';
  const stack: string[] = [];
  let quote: string | undefined;
  for (let index = 1; index < path.length; index++) {
    const char = path[index] ?? '';
    if (quote) {
      if (char === '\\') index++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    else if (char === '[' || char === '(') stack.push(char === '[' ? ']' : ')');
    else if (char === ']' || char === ')') {
      if (stack.pop() !== char) return `unbalanced "${char}" at character ${index + 1}`;
    }
  }
  if (quote) return 'an unclosed quote';
  if (stack.length > 0) return `an unclosed "${stack[0] === ']' ? '[' : '('}"`;
  if (/\.$/.test(path) && !path.endsWith('..')) return 'a trailing "."';
  if (/\.\.$/.test(path)) return 'a ".." with nothing after it';
  if (/\.{3,}/.test(path)) return 'too many dots';
  if (/\[\s*\]/.test(path)) return 'an empty "[]"';
  if (/^\$[^.[]/.test(path)) return 'a segment after $ starts with "." or "["';
  try {
    JSONPath({ path, json: TRIAL_DOCUMENT, wrap: true, eval: 'safe' });
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}

const TRIAL_DOCUMENT = { a: [{ b: 1, c: 'x' }, { b: 2 }], d: { e: { f: true } } };

/** Every value the path selects. */
export function selectJsonPath(path: string, document: unknown): unknown[] {
  if (document === null || typeof document !== 'object') {
    return path === '$' ? [document] : [];
  }
  return JSONPath({ path, json: document as object, wrap: true, eval: 'safe' }) as unknown[];
}
