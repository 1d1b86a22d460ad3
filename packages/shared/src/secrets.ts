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
    this.values.add(trimmed);
    this.onAdd(trimmed);
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

  /** Deep-redact every string in a JSON-like value (for reports). */
  redactValue<T>(value: T): T {
    if (this.values.size === 0) return value;
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }
}

const CREDENTIAL_NAME = /authorization|cookie|key|token|secret|password|passwd|credential/i;

/** Header or variable names whose values are credentials by convention. */
export function looksLikeCredentialName(name: string): boolean {
  return CREDENTIAL_NAME.test(name);
}
