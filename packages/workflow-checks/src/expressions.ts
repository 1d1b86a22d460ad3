// `${{ }}` expressions in a string and the context values (`github.event.issue.title`) each one reads.

export interface Expression {
  /** The text between `${{` and `}}`, trimmed. */
  body: string;
  /** Offset of `${{` in the string. */
  offset: number;
}

export function expressionsIn(value: string): Expression[] {
  const result: Expression[] = [];
  let from = 0;
  for (;;) {
    const start = value.indexOf('${{', from);
    if (start === -1) return result;
    const end = value.indexOf('}}', start + 3);
    // An unclosed `${{` still expands whatever follows: keep it whole so it is judged, not skipped.
    const body = value.slice(start + 3, end === -1 ? undefined : end);
    result.push({ body: body.trim(), offset: start });
    if (end === -1) return result;
    from = end + 2;
  }
}

const LITERALS = new Set(['true', 'false', 'null', 'nan', 'infinity']);

/**
 * The context paths an expression reads, as written, with every index
 * (`['x']`, `[0]`) and filter as a `*` segment: `format('{0}', github.event.pull_request.title)` reads
 * `github.event.pull_request.title`; `hashFiles('**')` reads nothing.
 */
export function contextReferences(expression: string): string[] {
  const withoutStrings = expression.replace(/'(?:[^']|'')*'/g, "''");
  const references: string[] = [];
  const path = /(?<![\w.\-\]])[A-Za-z_][\w-]*(?:\s*\.\s*[\w*-]+|\s*\[[^\]]*\])*/g;
  for (const match of withoutStrings.matchAll(path)) {
    const after = withoutStrings.slice((match.index ?? 0) + match[0].length).trimStart();
    if (after.startsWith('(')) continue;
    if (LITERALS.has(match[0].toLowerCase())) continue;
    references.push(match[0].replace(/\s+/g, '').replace(/\[[^\]]*\]/g, '.*'));
  }
  return references;
}

/**
 * Whether a context path matches a pattern such as `steps.*.outcome`, where `*` is exactly one segment;
 * contexts are case-insensitive, as on GitHub.
 */
export function matchesContext(reference: string, pattern: string): boolean {
  const segments = reference.toLowerCase().split('.');
  const expected = pattern.toLowerCase().split('.');
  return (
    segments.length === expected.length && expected.every((part, i) => part === '*' || part === segments[i])
  );
}
