/** One smoke check as parsed from the `checks` input. */
export type StatusMatcher = { kind: 'exact'; code: number } | { kind: 'class'; hundreds: number };

/** A header's expected value as written, and the /regular expression/ it was, compiled once. */
export interface HeaderExpectation {
  expected: string;
  pattern?: RegExp;
}

export interface Expectation {
  status: StatusMatcher[];
  bodyContains: string[];
  json: Array<{ path: string; expected: unknown }>;
  headers: Record<string, HeaderExpectation>;
  maxLatencyMs?: number;
}

export interface Check {
  name: string;
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  followRedirects: boolean;
  expect: Expectation;
}

export function describeStatus(matchers: readonly StatusMatcher[]): string {
  return matchers
    .map((matcher) => (matcher.kind === 'exact' ? String(matcher.code) : `${matcher.hundreds}xx`))
    .join(' or ');
}

export function statusMatches(matchers: readonly StatusMatcher[], status: number): boolean {
  return matchers.some((matcher) =>
    matcher.kind === 'exact' ? matcher.code === status : Math.floor(status / 100) === matcher.hundreds,
  );
}
