import { looksLikeCredentialName } from '@ecs-ship/shared/secrets';
import type { Check } from './check.js';

/** What one request saw. */
export interface ProbeResult {
  status?: number;
  headers: Record<string, string>;
  body: string;
  latencyMs: number;
  /** Set when no response arrived: refused, reset, DNS, timeout. */
  error?: string;
  /** The URL that answered after redirects, when it differs from the requested one. */
  finalUrl?: string;
}

export type Probe = (check: Check, timeoutMs: number, signal?: AbortSignal) => Promise<ProbeResult>;

/** Bodies beyond this are cut: enough for any health document, bounded for a misbehaving server. */
const MAX_BODY_BYTES = 1024 * 1024;
/** As fetch's own limit. */
const MAX_REDIRECTS = 10;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Headers that describe a request body, dropped when a redirect turns the request into a GET. */
const BODY_HEADERS = /^content-(type|length|encoding|language|location)$/i;

/**
 * One real HTTP request with Node's fetch, timed from send to the last body byte of the final
 * response. Redirects are followed here rather than by fetch, which forwards every header but
 * Authorization to another origin: an X-API-Key or Cookie must not reach a host the check never
 * named.
 */
export const httpProbe: Probe = async (check, timeoutMs, signal) => {
  const started = performance.now();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([timeout, signal]) : timeout;
  try {
    let url = check.url;
    let method = check.method;
    let body = check.body;
    let headers: Record<string, string> = { ...check.headers };
    for (let hops = 0; ; hops++) {
      const response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        redirect: 'manual',
        signal: combined,
      });
      const location = response.headers.get('location');
      if (check.followRedirects && REDIRECTS.has(response.status) && location !== null) {
        await response.body?.cancel();
        if (hops >= MAX_REDIRECTS) throw new Error(`more than ${MAX_REDIRECTS} redirects`);
        const next = new URL(location, url);
        if (next.protocol !== 'http:' && next.protocol !== 'https:')
          throw new Error(`redirected to a ${next.protocol} URL`);
        // 303, and 301/302 after a POST, become a GET without a body (as browsers and fetch do).
        if (
          (response.status === 303 && method !== 'HEAD') ||
          ([301, 302].includes(response.status) && method === 'POST')
        ) {
          method = 'GET';
          body = undefined;
          headers = withoutHeaders(headers, (name) => BODY_HEADERS.test(name));
        }
        // Credential-like names include Authorization, Proxy-Authorization and Cookie.
        if (next.origin !== url.origin) headers = withoutHeaders(headers, looksLikeCredentialName);
        // Userinfo in a Location is dropped: fetch refuses such a URL and would quote it in its error.
        next.username = '';
        next.password = '';
        url = next;
        continue;
      }
      const text = await readBody(response);
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      return {
        status: response.status,
        headers: responseHeaders,
        body: text,
        latencyMs: performance.now() - started,
        ...(url.href !== check.url.href ? { finalUrl: url.href } : {}),
      };
    }
  } catch (error) {
    const latencyMs = performance.now() - started;
    const reason = timeout.aborted ? `no response within ${timeoutMs} ms` : describeFetchError(error);
    return { headers: {}, body: '', latencyMs, error: reason };
  }
};

function withoutHeaders(
  headers: Record<string, string>,
  drop: (name: string) => boolean,
): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !drop(name)));
}

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
