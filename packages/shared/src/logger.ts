/**
 * What domain code logs through. Only the runner adapter (core-logger.ts) talks to @actions/core,
 * so domain code and its tests never import it.
 */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
  /** Runs `body` inside a collapsible log group. */
  group<T>(title: string, body: () => Promise<T>): Promise<T>;
}

export interface LogRecord {
  level: 'debug' | 'info' | 'warning' | 'error' | 'group';
  message: string;
}

/** Keeps every line in memory: for tests, and for replaying a log into a report. */
export class MemoryLogger implements Logger {
  readonly records: LogRecord[] = [];

  debug(message: string): void {
    this.records.push({ level: 'debug', message });
  }
  info(message: string): void {
    this.records.push({ level: 'info', message });
  }
  warning(message: string): void {
    this.records.push({ level: 'warning', message });
  }
  error(message: string): void {
    this.records.push({ level: 'error', message });
  }
  async group<T>(title: string, body: () => Promise<T>): Promise<T> {
    this.records.push({ level: 'group', message: title });
    return body();
  }

  /** The info/warning/error lines, for assertions. */
  get lines(): string[] {
    return this.records.filter((record) => record.level !== 'debug').map((record) => record.message);
  }
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warning: () => {},
  error: () => {},
  group: (_title, body) => body(),
};
