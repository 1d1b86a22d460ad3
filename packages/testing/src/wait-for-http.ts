export interface WaitForHttpOptions {
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
  /** Pause between attempts (default 100 ms). */
  intervalMs?: number;
  /** Called before each attempt; return a reason to stop waiting (e.g. "the process exited"). */
  abortReason?: () => string | undefined;
}

/**
 * Polls `url` with GET until it answers with a status below 500. Throws with the last error
 * when the deadline passes or `abortReason` returns a reason.
 */
export async function waitForHttp(url: string, options: WaitForHttpOptions = {}): Promise<void> {
  const { timeoutMs = 20_000, intervalMs = 100, abortReason } = options;
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    const reason = abortReason?.();
    if (reason !== undefined) throw new Error(`${url} will not answer: ${reason}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(Math.max(intervalMs, 2_000)) });
      await response.arrayBuffer();
      if (response.status < 500) return;
      last = `HTTP ${response.status}`;
    } catch (err) {
      last = describe(err);
    }
    if (Date.now() >= deadline) {
      throw new Error(`${url} did not answer within ${timeoutMs} ms (last attempt: ${last})`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
