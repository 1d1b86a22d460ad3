/**
 * Every value that must never reach a log, an output, a summary or a report. The runner masks what
 * `add-mask` registered in its own log, but not in files we write (summaries, JSON and JUnit reports),
 * so we redact those ourselves with the same list.
 */
export class SecretRegistry {
  private readonly values = new Set<string>();
  constructor(private readonly onAdd: (value: string) => void = () => {}) {}

  add(value: string | undefined): void {
    if (value === undefined) return;
    const trimmed = value.trim();
    // One- and two-character "secrets" would redact every occurrence of common letters.
    if (trimmed.length < 3 || this.values.has(trimmed)) return;
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

  redact(text: string): string {
    let out = text;
    // Longest first, so a secret that contains another is replaced whole.
    for (const value of [...this.values].sort((a, b) => b.length - a.length)) {
      out = out.split(value).join('***');
    }
    return out;
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

const CREDENTIAL_NAME = /authorization|cookie|key|token|secret|password|passwd|credential/i;

/** Header or variable names whose values are credentials by convention. */
export function looksLikeCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}
