import { looksLikeCredentialName } from '@ecs-ship/shared/secrets';

/** A query (or fragment) parameter whose name says its value is a credential: `?api_key=…`. */
export interface CredentialParameter {
  name: string;
  /** As written in the URL's text, percent-escapes and all. */
  raw: string;
  /** As the server reads it (and may echo it back). */
  decoded: string;
}

/**
 * Parameters named like credentials (the same rule as for header names: `api_key`, `access_token`,
 * `X-Amz-Signature`, `sig`...), from the query and from a `#a=b` fragment (OAuth puts tokens there).
 */
export function credentialParameters(url: URL): CredentialParameter[] {
  return [url.search, url.hash]
    .flatMap((part) => splitParameters(part.slice(1)))
    .filter((parameter) => looksLikeCredentialName(parameter.name));
}

/**
 * Every form in which a credential parameter's value may reach text: as written, decoded, and
 * re-encoded as a server or a redirect would write it.
 */
export function credentialValueForms(parameter: CredentialParameter): string[] {
  return [...new Set([parameter.raw, parameter.decoded, encodeURIComponent(parameter.decoded)])];
}

/**
 * The URL text with each credential parameter's value replaced by `***`, for reports, summaries and
 * errors: done on the text, so other parameters stay exactly as written, and even text that is not a
 * valid URL (quoted in an error) is masked.
 */
export function maskCredentialParameters(text: string): string {
  const query = text.indexOf('?');
  const hash = text.indexOf('#');
  const start = query >= 0 && (hash < 0 || query < hash) ? query : hash;
  if (start < 0) return text;
  const end = query === start && hash > query ? hash : text.length;
  const masked = maskPart(text.slice(start + 1, end));
  const rest = end < text.length ? `#${maskPart(text.slice(end + 1))}` : '';
  return `${text.slice(0, start + 1)}${masked}${rest}`;
}

function maskPart(part: string): string {
  return part
    .split('&')
    .map((pair) => {
      const equals = pair.indexOf('=');
      if (equals < 0 || !looksLikeCredentialName(decode(pair.slice(0, equals)))) return pair;
      return `${pair.slice(0, equals)}=***`;
    })
    .join('&');
}

function splitParameters(part: string): CredentialParameter[] {
  if (part === '') return [];
  return part.split('&').flatMap((pair) => {
    const equals = pair.indexOf('=');
    if (equals < 0) return [];
    const raw = pair.slice(equals + 1);
    return [{ name: decode(pair.slice(0, equals)), raw, decoded: decode(raw) }];
  });
}

/** As URLSearchParams decodes (`+` is a space); a malformed escape is kept as written. */
function decode(text: string): string {
  const spaced = text.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}
