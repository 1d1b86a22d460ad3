/**
 * Secrets shorter than this are redacted by substring in logs, summaries and reports, where
 * over-masking is harmless, but not inside an output: a 5-character secret such as "prod1" also
 * occurs inside ARNs and names that later steps parse. Eight characters is where a value stops
 * being a plausible fragment of ordinary text and starts looking like a token.
 */
export const MIN_OUTPUT_SECRET_LENGTH = 8;

/** Below this a value is not registered at all: it would redact every occurrence of common letters. */
const MIN_SECRET_LENGTH = 3;

export interface SecretRegistryOptions {
  /**
   * Told once per value when a secret is too short to be masked safely everywhere. The message names
   * where the secret came from (the `source` given to `add`), never the value.
   */
  onShortSecret?: (message: string) => void;
}

/**
 * Every value that must never reach a log, an output, a summary or a report. The runner masks what
 * `add-mask` registered in its own log, but not in files we write (summaries, JSON and JUnit reports),
 * so we redact those ourselves with the same list.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  /** Every trimmed value seen, registered or too short to be: so each is warned about once. */
  private readonly seen = new Set<string>();
  /** One warning per source, though a query parameter registers its value in several forms. */
  private readonly warnedSources = new Set<string>();

  constructor(
    private readonly onAdd: (value: string) => void = () => {},
    private readonly options: SecretRegistryOptions = {},
  ) {}

  /**
   * `source` says where the value came from, for the warning about a short secret: 'input "secrets"
   * (line 2)', not the value.
   */
  add(value: string | undefined, source?: string): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    if (trimmed === '' || this.seen.has(trimmed)) return;
    this.seen.add(trimmed);
    if (trimmed.length < MIN_OUTPUT_SECRET_LENGTH) this.warnShort(trimmed.length, source);
    if (trimmed.length < MIN_SECRET_LENGTH) return;
    // A secret with a quote or backslash reaches text escaped when a server echoes it in JSON.
    for (const form of new Set([trimmed, JSON.stringify(trimmed).slice(1, -1)])) {
      this.values.add(form);
      this.onAdd(form);
    }
  }

  has(value: string): boolean {
    return this.values.has(value.trim());
  }

  get size(): number {
    return this.values.size;
  }

  /** For logs, summaries and reports: every registered value is replaced wherever it occurs. */
  redact(text: string): string {
    return this.replace(text, [...this.values]);
  }

  /**
   * For step outputs, which later steps parse: an output is redacted only when it is a secret. It is
   * `***` when it equals a registered secret; otherwise only the secrets of at least
   * MIN_OUTPUT_SECRET_LENGTH characters are replaced inside it (a URL carrying a token stays masked),
   * and a shorter secret that merely occurs inside it (in an ARN, a name) leaves it intact.
   */
  redactOutput(text: string): string {
    if (this.values.has(text.trim())) return '***';
    return this.replace(
      text,
      [...this.values].filter((value) => value.length >= MIN_OUTPUT_SECRET_LENGTH),
    );
  }

  /**
   * Redacts every string in a JSON-like value. Walked, not redacted as serialized text, so numbers,
   * escapes and structure stay intact. Keys holding a secret (a JSONPath or header name in a report)
   * are redacted too, but a key that is exactly a registered value is the document's own field
   * name (a secret "status" must not rename every "status" field) and is kept.
   */
  redactValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    return this.walk(value) as T;
  }

  private replace(text: string, values: string[]): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const value of values.sort((a, b) => b.length - a.length)) {
      out = out.split(value).join('***');
    }
    return out;
  }

  private warnShort(length: number, source: string | undefined): void {
    if (source !== undefined) {
      if (this.warnedSources.has(source)) return;
      this.warnedSources.add(source);
    }
    const where = source ?? 'an unnamed source';
    const masked =
      length < MIN_SECRET_LENGTH
        ? 'it is not masked anywhere'
        : 'it is masked in logs, summaries and reports but not inside step outputs';
    this.options.onShortSecret?.(
      `A secret from ${where} has only ${length} character(s): secrets shorter than ${MIN_OUTPUT_SECRET_LENGTH} characters cannot be masked safely, so ${masked}. Use a longer secret.`,
    );
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.redact(value);
    if (Array.isArray(value)) return value.map((item) => this.walk(item));
    if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
      return Object.fromEntries(
        Object.entries(value).map(([key, entry]) => [
          this.values.has(key) ? key : this.redact(key),
          this.walk(entry),
        ]),
      );
    }
    return value;
  }
}

/**
 * The one rule for names whose values are credentials by convention: header names, environment
 * variable names and URL query parameter names (`api_key`, `access_token`, `X-Amz-Signature`, `sig`).
 * `sig` counts only as a whole word, so "design" or "signal" do not.
 */
const CREDENTIAL_NAME =
  /authorization|cookie|key|token|secret|password|passwd|credential|signature|(?:^|[^a-z])sig(?:[^a-z]|$)/i;

/** Header, variable or query parameter names whose values are credentials by convention. */
export function looksLikeCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}
