// Secret values replaced by *** in everything the run records, as the runner masks its logs.
export class Masker {
  private readonly values = new Set<string>();

  /** A secret, and each line of a multi-line one (the runner masks those too). */
  add(value: string): void {
    if (value === '') return;
    this.values.add(value);
    for (const line of value.split(/\r?\n/)) if (line.trim() !== '') this.values.add(line);
  }

  mask(text: string): string {
    if (this.values.size === 0 || text === '') return text;
    // Longest first, so a secret that contains another is masked whole.
    const sorted = [...this.values].sort((a, b) => b.length - a.length);
    let result = text;
    for (const value of sorted) result = result.split(value).join('***');
    return result;
  }

  /** Every string in a value, at any depth: for records made before a later step masked more. */
  maskDeep<T>(value: T): T {
    if (typeof value === 'string') return this.mask(value) as T;
    if (Array.isArray(value)) return value.map((item: unknown) => this.maskDeep(item)) as T;
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, this.maskDeep(item)])) as T;
    }
    return value;
  }

  maskRecord(record: Record<string, string>): Record<string, string> {
    return Object.fromEntries(Object.entries(record).map(([key, value]) => [key, this.mask(value)]));
  }

  contains(text: string): boolean {
    return [...this.values].some((value) => text.includes(value));
  }
}
