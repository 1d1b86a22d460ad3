import type { Check } from './check.js';

/** What one request saw. */
export interface ProbeResult {
  status?: number;
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
  /** Set when no response arrived: refused, reset, DNS, timeout. */
  error?: string;
  /** The final URL after redirects, when it differs from the requested one. */
  finalUrl?: string;
}

export type Probe = (check: Check, timeoutMs: number, signal?: AbortSignal) => Promise<ProbeResult>;

/** Bodies beyond this are cut: enough for any health document, bounded for a misbehaving server. */
const MAX_BODY_BYTES = 1024 * 1024;

/** One real HTTP request with Node's fetch, timed from send to the last body byte. */
export const httpProbe: Probe = async (check, timeoutMs, signal) => {
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
  try {
    const response = await fetch(check.url, {
      method: check.method,
      headers: check.headers,
      ...(check.body !== undefined ? { body: check.body } : {}),
      redirect: check.followRedirects ? 'follow' : 'manual',
      signal: combined,
    });
    const body = await readBody(response);
    const headers: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      headers[name] = value;
    });
    return {
      status: response.status,
      headers,
      body,
      latencyMs: performance.now() - started,
      ...(response.url && response.url !== check.url.href ? { finalUrl: response.url } : {}),
    };
  } catch (error) {
    const latencyMs = performance.now() - started;
    const reason = timeout.aborted ? `no response within ${timeoutMs} ms` : describeFetchError(error);
    return { headers: {}, body: '', latencyMs, error: reason };
  }
};

async function readBody(response: Response): Promise<string> {
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size >= MAX_BODY_BYTES) {
      await reader.cancel();
      break;
    }
  }
  return Buffer.concat(chunks).subarray(0, MAX_BODY_BYTES).toString('utf8');
}

/**
 * fetch hides the useful part ("connect ECONNREFUSED 127.0.0.1:8080") in `cause`. Duck-typed, not
 * instanceof: undici builds its errors in another realm than a test runner's.
 */
export function describeFetchError(error: unknown): string {
  const asError = (value: unknown): { message: string; name?: string; code?: string } | undefined =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
      ? (value as { message: string; name?: string; code?: string })
      : undefined;
  const outer = asError(error);
  if (!outer) return String(error);
  const cause = asError((error as { cause?: unknown }).cause);
  if (cause)
    return cause.code && !cause.message.includes(cause.code)
      ? `${cause.code}: ${cause.message}`
      : cause.message;
  if (outer.name === 'AbortError') return 'cancelled';
  return outer.message;
}
