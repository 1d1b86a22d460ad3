import { ConfigurationError } from '@ecs-ship/shared/errors';
import { maskCredentialParameters } from './query-credentials.js';

/** base-url https://api.example.com/v1 + /health -> https://api.example.com/v1/health (not /health). */
export function joinUrl(base: URL, path: string): URL {
  const joined = new URL(base.href);
  const [pathname = '', query] = path.split('?', 2);
  joined.pathname = `${base.pathname.replace(/\/+$/, '')}/${pathname.replace(/^\/+/, '')}`;
  joined.search = query !== undefined ? `?${query}` : base.search;
  return joined;
}

/**
 * An http(s) URL, or a ConfigurationError that quotes the text without any user:password@ or the
 * value of a credential-like query parameter.
 */
export function parseHttpUrl(text: string, what: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (url === undefined || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new ConfigurationError(
      `${what} must be an http or https URL; got ${JSON.stringify(maskCredentialParameters(hideUserinfo(text)))}.`,
    );
  }
  return url;
}

/** "https://user:pass@host/x" -> "https://***@host/x"; for quoting text that did not parse. */
export function hideUserinfo(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/*)[^/?#]*@/i, '$1***@');
}

export interface UrlCredentials {
  username: string;
  password: string;
  /** The `Authorization: Basic …` value they amount to. */
  authorization: string;
}

/**
 * fetch refuses URLs with credentials ("Request cannot be constructed from a URL that includes
 * credentials"), and its error would quote them. The userinfo becomes a Basic Authorization header
 * instead and the URL goes on without it.
 */
export function splitCredentials(url: URL): { url: URL; credentials?: UrlCredentials } {
  if (url.username === '' && url.password === '') return { url };
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  const encoded = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');
  return { url: bare, credentials: { username, password, authorization: `Basic ${encoded}` } };
}
