import { createHash } from 'node:crypto';

/** The manifest types this client reads and writes, in the order they are offered. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
] as const;

/**
 * Sent on every manifest request. Without the full list a registry may convert the manifest (to
 * schema 1, or a single platform's manifest out of an index): other bytes, another digest.
 */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

export interface Manifest {
  /** The exact bytes the registry served: re-serialised JSON would change the digest. */
  bytes: Buffer;
  /** The Content-Type it was served with, one of MANIFEST_MEDIA_TYPES. */
  mediaType: string;
  /** `sha256:` of `bytes`, checked against the registry's Docker-Content-Digest. */
  digest: string;
}

export interface RetagResult {
  digest: string;
  /** Tags written by this call. */
  created: string[];
  /** Tags that already pointed at this manifest: success, nothing written. */
  unchanged: string[];
}

export interface RegistryClientOptions {
  /** `host[:port]`, no scheme, no path. */
  host: string;
  username?: string;
  /** Sent only to this registry (and its token service) when it asks; never in an error or log. */
  password?: string;
  fetch?: typeof fetch;
  /** Default: http on 127.0.0.0/8 and localhost, https everywhere else (http elsewhere is refused). */
  scheme?: 'http' | 'https';
  /** Method, path and status of each request (never a header). */
  debug?: (message: string) => void;
}

/** What a failed registry call was about, so its message names it. */
interface Operation {
  /** e.g. `GET manifest` */
  what: string;
  repository: string;
  reference: string;
  /** `pull` or `pull,push`: the scope a Bearer token must grant. */
  actions: 'pull' | 'pull,push';
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  constructor(
    message: string,
    readonly details: {
      registry: string;
      repository?: string;
      reference?: string;
      status?: number;
      /** The registry's own error codes (errors[].code), e.g. MANIFEST_UNKNOWN. */
      codes?: string[];
    },
  ) {
    super(message);
  }
  get status(): number | undefined {
    return this.details.status;
  }
}

const REPOSITORY = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const DIGEST = /^sha256:[a-f0-9]{64}$/;
const REDIRECTS = [301, 302, 303, 307, 308];
const MAX_REDIRECTS = 5;

/**
 * The OCI distribution API, as much as this action needs: manifests by tag or digest (read, write,
 * retag), blob sizes. Authenticates as the registry asks: Basic (ECR's `AWS:<token>`, htpasswd) or
 * the Bearer token challenge (realm, service, scope). Node's fetch, plain HTTP only on loopback.
 */
export class RegistryClient {
  readonly host: string;
  private readonly origin: string;
  private readonly fetch: typeof fetch;
  private readonly username: string | undefined;
  private readonly password: string | undefined;
  private readonly debug: (message: string) => void;
  /** What the registry asked for last: credentials are sent only after a challenge. */
  private authScheme: 'none' | 'basic' | 'bearer' = 'none';
  /** Bearer tokens by scope (`repository:ml/api:pull`); secrets, like the password. */
  private readonly tokens = new Map<string, string>();

  constructor(options: RegistryClientOptions) {
    this.host = checkHost(options.host);
    const scheme = options.scheme ?? (isLoopback(this.host) ? 'http' : 'https');
    if (scheme === 'http' && !isLoopback(this.host)) {
      throw new Error(
        `Registry ${this.host}: plain http is only used on 127.0.0.0/8 and localhost; this registry must speak https.`,
      );
    }
    this.origin = `${scheme}://${this.host}`;
    this.fetch = options.fetch ?? globalThis.fetch;
    this.username = options.username;
    this.password = options.password;
    this.debug = options.debug ?? (() => {});
  }

  /** The manifest under `reference` (a tag or a digest), or undefined when the registry has none (404). */
  async getManifest(repository: string, reference: string): Promise<Manifest | undefined> {
    const op = this.operation('GET manifest', repository, reference, 'pull');
    const response = await this.send(op, 'GET', `manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    if (response.status === 404) {
      await response.arrayBuffer();
      return undefined;
    }
    await this.check(op, response);
    const bytes = Buffer.from(await response.arrayBuffer());
    const mediaType = servedMediaType(response.headers.get('content-type'), bytes, (why) =>
      this.failure(op, why),
    );
    const digest = sha256(bytes);
    this.checkDigest(op, response, digest);
    if (DIGEST.test(reference) && reference !== digest) {
      throw this.failure(op, `the manifest served for ${reference} hashes to ${digest}`);
    }
    return { bytes, mediaType, digest };
  }

  /** The digest `reference` points at (HEAD), or undefined when the registry has none (404). */
  async manifestDigest(repository: string, reference: string): Promise<string | undefined> {
    const op = this.operation('HEAD manifest', repository, reference, 'pull');
    const response = await this.send(op, 'HEAD', `manifests/${reference}`, { Accept: MANIFEST_ACCEPT });
    await response.arrayBuffer();
    if (response.status === 404) return undefined;
    await this.check(op, response);
    const served = response.headers.get('docker-content-digest');
    if (served !== null && DIGEST.test(served)) return served;
    // A registry that does not name the digest on HEAD: the bytes say it.
    return (await this.getManifest(repository, reference))?.digest;
  }

  /**
   * PUTs exactly these bytes under `reference` with `mediaType` as Content-Type, and returns their
   * digest once the registry has confirmed it stored that digest.
   */
  async putManifest(
    repository: string,
    reference: string,
    bytes: Buffer,
    mediaType: string,
  ): Promise<string> {
    const op = this.operation('PUT manifest', repository, reference, 'pull,push');
    if (!(MANIFEST_MEDIA_TYPES as readonly string[]).includes(mediaType)) {
      throw this.failure(op, `media type ${JSON.stringify(mediaType)} is not one of ${MANIFEST_ACCEPT}`);
    }
    const declared = declaredMediaType(bytes);
    if (declared === null) throw this.failure(op, 'the manifest is not a JSON object');
    if (declared !== undefined && declared !== mediaType) {
      throw this.failure(
        op,
        `the manifest declares mediaType ${declared} but was to be sent as ${mediaType}`,
      );
    }
    const digest = sha256(bytes);
    if (DIGEST.test(reference) && reference !== digest) {
      throw this.failure(op, `these bytes hash to ${digest}, not ${reference}`);
    }
    const response = await this.send(op, 'PUT', `manifests/${reference}`, {
      Accept: MANIFEST_ACCEPT,
      'Content-Type': mediaType,
      body: bytes,
    });
    await this.check(op, response);
    await response.arrayBuffer();
    this.checkDigest(op, response, digest);
    return digest;
  }

  /**
   * Gives the manifest under `from` (a reference, or a manifest already read) each of `tags` without moving a layer: the same bytes, the same
   * Content-Type, so the digest never changes. A tag already pointing at it is `unchanged` (a re-run).
   */
  async retag(repository: string, from: string | Manifest, tags: string[]): Promise<RetagResult> {
    const wanted = [...new Set(tags)];
    for (const tag of wanted) this.operation('PUT manifest', repository, tag, 'pull,push');
    // A manifest the caller already read is used as it is: no second GET of the same bytes.
    const source = typeof from === 'string' ? await this.getManifest(repository, from) : from;
    if (!source) {
      throw this.failure(
        this.operation('GET manifest', repository, typeof from === 'string' ? from : from.digest, 'pull'),
        'no such manifest (HTTP 404), so there is nothing to retag',
        { status: 404 },
      );
    }
    const result: RetagResult = { digest: source.digest, created: [], unchanged: [] };
    for (const tag of wanted) {
      if ((await this.manifestDigest(repository, tag)) === source.digest) {
        result.unchanged.push(tag);
        continue;
      }
      try {
        await this.putManifest(repository, tag, source.bytes, source.mediaType);
        result.created.push(tag);
      } catch (error) {
        // Written meanwhile by a concurrent run (an immutable repository then refuses the PUT): if it
        // names the same manifest, that is the outcome we wanted.
        if (!(error instanceof RegistryError) || (error.status ?? 0) < 400) throw error;
        if ((await this.manifestDigest(repository, tag).catch(() => undefined)) !== source.digest)
          throw error;
        result.unchanged.push(tag);
      }
    }
    return result;
  }

  /** A blob's size in bytes (HEAD), or undefined when the registry has no such blob. */
  async blobSize(repository: string, digest: string): Promise<number | undefined> {
    const op = this.operation('HEAD blob', repository, digest, 'pull');
    if (!DIGEST.test(digest)) throw this.failure(op, 'a blob is named by its sha256: digest');
    const response = await this.send(op, 'HEAD', `blobs/${digest}`, {});
    await response.arrayBuffer();
    if (response.status === 404) return undefined;
    await this.check(op, response);
    const length = Number(response.headers.get('content-length'));
    return Number.isSafeInteger(length) && length >= 0 ? length : undefined;
  }

  /** An image manifest's compressed size (config and layers); undefined for an index or list. */
  manifestSize(manifest: Pick<Manifest, 'bytes'>): number | undefined {
    let parsed: unknown;
    try {
      parsed = JSON.parse(manifest.bytes.toString('utf8'));
    } catch {
      return undefined;
    }
    const image = parsed as { config?: { size?: unknown }; layers?: unknown };
    if (!Array.isArray(image.layers)) return undefined;
    const sizes = [image.config?.size, ...image.layers.map((layer) => (layer as { size?: unknown })?.size)];
    if (!sizes.every((size): size is number => Number.isSafeInteger(size) && (size as number) >= 0)) {
      return undefined;
    }
    return sizes.reduce((total, size) => total + size, 0);
  }

  /** Checks the names before they become a URL path: nothing else reaches the registry. */
  private operation(
    what: string,
    repository: string,
    reference: string,
    actions: Operation['actions'],
  ): Operation {
    const op: Operation = { what, repository, reference, actions };
    if (!REPOSITORY.test(repository)) {
      throw this.failure(op, 'not a valid repository name (lowercase, digits, separators, "/" namespaces)');
    }
    if (!TAG.test(reference) && !DIGEST.test(reference)) {
      throw this.failure(op, 'not a valid tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}) or sha256: digest');
    }
    return op;
  }

  /** One request, authenticated as the registry's challenge asks (at most one retry for it). */
  private async send(
    op: Operation,
    method: string,
    path: string,
    options: { Accept?: string; 'Content-Type'?: string; body?: Buffer },
  ): Promise<Response> {
    const url = `${this.origin}/v2/${op.repository}/${path}`;
    const scope = `repository:${op.repository}:${op.actions}`;
    const headers: Record<string, string> = {};
    if (options.Accept) headers.Accept = options.Accept;
    if (options['Content-Type']) headers['Content-Type'] = options['Content-Type'];
    const sentScheme = this.authScheme;
    const sentToken = this.tokens.get(scope);
    const first = await this.request(op, method, url, headers, options.body, this.authorization(scope));
    if (first.status !== 401) return first;

    const body = await first.text();
    const challenges = parseChallenges(first.headers.get('www-authenticate') ?? '');
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    const basic = challenges.find((c) => c.scheme === 'basic');
    if (bearer) {
      if (
        sentScheme === 'bearer' &&
        sentToken !== undefined &&
        bearer.params.error === 'insufficient_scope'
      ) {
        throw this.failure(op, this.statusText(401, body, 'the token does not grant this scope'), {
          status: 401,
        });
      }
      this.tokens.set(scope, await this.token(op, bearer.params, scope));
      this.authScheme = 'bearer';
    } else if (basic) {
      if (this.username === undefined || this.password === undefined) {
        throw this.failure(
          op,
          this.statusText(401, body, 'the registry asks for credentials and none were given'),
          {
            status: 401,
          },
        );
      }
      if (sentScheme === 'basic') {
        throw this.failure(op, this.statusText(401, body, 'the registry refused the credentials'), {
          status: 401,
        });
      }
      this.authScheme = 'basic';
    } else {
      throw this.failure(op, this.statusText(401, body, 'no Basic or Bearer challenge to answer'), {
        status: 401,
      });
    }
    const retried = await this.request(op, method, url, headers, options.body, this.authorization(scope));
    if (retried.status !== 401) return retried;
    const refused =
      this.authScheme === 'basic'
        ? 'the registry refused the credentials'
        : 'the registry refused the token its token service issued';
    throw this.failure(op, this.statusText(401, await retried.text(), refused), { status: 401 });
  }

  private authorization(scope: string): string | undefined {
    if (this.authScheme === 'basic') return this.basic();
    if (this.authScheme === 'bearer') {
      const token = this.tokens.get(scope);
      return token === undefined ? undefined : `Bearer ${token}`;
    }
    return undefined;
  }

  private basic(): string | undefined {
    if (this.username === undefined || this.password === undefined) return undefined;
    return `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
  }

  /**
   * fetch with redirects followed by hand: the Authorization header stays on this origin (a
   * registry may send blobs to a storage host that must not see our credentials).
   */
  private async request(
    op: Operation,
    method: string,
    url: string,
    headers: Record<string, string>,
    body: Buffer | undefined,
    authorization: string | undefined,
  ): Promise<Response> {
    let target = new URL(url);
    let currentMethod = method;
    for (let hop = 0; ; hop++) {
      const sameOrigin = target.origin === this.origin;
      let response: Response;
      try {
        response = await this.fetch(target, {
          method: currentMethod,
          redirect: 'manual',
          headers: { ...headers, ...(authorization && sameOrigin ? { Authorization: authorization } : {}) },
          ...(body && currentMethod !== 'GET' && currentMethod !== 'HEAD' ? { body } : {}),
        });
      } catch (error) {
        throw this.failure(op, `the request failed: ${networkReason(error)}`);
      }
      this.debug(`${currentMethod} ${target.origin}${target.pathname} → ${response.status}`);
      const location = response.headers.get('location');
      if (!REDIRECTS.includes(response.status) || location === null) return response;
      await response.arrayBuffer();
      if (hop >= MAX_REDIRECTS) throw this.failure(op, `more than ${MAX_REDIRECTS} redirects`);
      target = new URL(location, target);
      if (target.protocol !== 'https:' && !(target.protocol === 'http:' && isLoopback(target.host))) {
        throw this.failure(op, `redirected to ${target.protocol}//${target.host}, not https`);
      }
      if (response.status === 303 && currentMethod !== 'HEAD') currentMethod = 'GET';
    }
  }

  /** Answers a Bearer challenge: GET realm?service=&scope= with our Basic credentials, if any. */
  private async token(op: Operation, challenge: Record<string, string>, scope: string): Promise<string> {
    let realm: URL;
    try {
      realm = new URL(challenge.realm ?? '');
    } catch {
      throw this.failure(op, `the Bearer challenge's realm ${JSON.stringify(challenge.realm)} is not a URL`);
    }
    const service = `token service ${realm.origin}${realm.pathname}`;
    if (realm.protocol !== 'https:' && !(realm.protocol === 'http:' && isLoopback(realm.host))) {
      throw this.failure(op, `the ${service} is not https; credentials are not sent there`);
    }
    if (challenge.service) realm.searchParams.set('service', challenge.service);
    for (const wanted of (challenge.scope ?? scope).split(' ').filter(Boolean)) {
      realm.searchParams.append('scope', wanted);
    }
    const basic = this.basic();
    let response: Response;
    try {
      response = await this.fetch(realm, {
        headers: { Accept: 'application/json', ...(basic ? { Authorization: basic } : {}) },
      });
    } catch (error) {
      throw this.failure(op, `the ${service} request failed: ${networkReason(error)}`);
    }
    const text = await response.text();
    if (!response.ok) {
      throw this.failure(op, `the ${service} answered ${this.statusText(response.status, text)}`, {
        status: response.status,
      });
    }
    let token: unknown;
    try {
      const parsed = JSON.parse(text) as { token?: unknown; access_token?: unknown };
      token = parsed.token ?? parsed.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '') {
      throw this.failure(op, `the ${service} answered without a token`);
    }
    return token;
  }

  private async check(op: Operation, response: Response): Promise<void> {
    if (response.ok) return;
    const text = await response.text().catch(() => '');
    throw this.failure(op, `answered ${this.statusText(response.status, text)}`, {
      status: response.status,
      codes: errorCodes(text),
    });
  }

  private checkDigest(op: Operation, response: Response, digest: string): void {
    const served = response.headers.get('docker-content-digest');
    if (served !== null && served !== digest) {
      throw this.failure(op, `the registry says ${served} but the manifest bytes hash to ${digest}`);
    }
  }

  /** `HTTP 404 (MANIFEST_UNKNOWN: manifest unknown)`: the status with the registry's own words. */
  private statusText(status: number, body: string, fallback?: string): string {
    const messages = registryMessages(body);
    const said = messages.length > 0 ? messages.join('; ') : (firstLine(body) ?? fallback);
    return `HTTP ${status}${said ? ` (${said})` : ''}${messages.length > 0 && fallback ? `: ${fallback}` : ''}`;
  }

  private failure(
    op: Operation,
    why: string,
    details: { status?: number; codes?: string[] } = {},
  ): RegistryError {
    const message = `Registry ${this.host}, repository "${op.repository}", reference "${op.reference}": ${op.what} ${why}.`;
    return new RegistryError(this.redact(message), {
      registry: this.host,
      repository: op.repository,
      reference: op.reference,
      ...details,
    });
  }

  /** No credential in any message, even if a registry or proxy echoed one back. */
  private redact(text: string): string {
    let redacted = text;
    for (const secret of [this.password, ...this.tokens.values()]) {
      if (secret) redacted = redacted.split(secret).join('***');
    }
    return redacted;
  }
}

/** One WWW-Authenticate challenge: `Bearer realm="...",service="...",scope="..."`. */
export interface Challenge {
  /** Lowercase: `basic`, `bearer`. */
  scheme: string;
  params: Record<string, string>;
}

/** RFC 9110 challenges: several per header, parameters with quoted strings (and `\` escapes). */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  const token = /[!#$%&'*+.^_`|~0-9A-Za-z-]+/y;
  let at = 0;
  const skip = (pattern: RegExp) => {
    while (at < header.length && pattern.test(header[at] as string)) at++;
  };
  const read = (): string | undefined => {
    token.lastIndex = at;
    const match = token.exec(header);
    if (!match) return undefined;
    at = token.lastIndex;
    return match[0];
  };
  while (at < header.length) {
    skip(/[\s,]/);
    const scheme = read();
    if (scheme === undefined) break;
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    challenges.push(challenge);
    for (;;) {
      skip(/\s/);
      const start = at;
      const name = read();
      skip(/\s/);
      if (name === undefined || header[at] !== '=') {
        at = start;
        break;
      }
      at++;
      skip(/\s/);
      let value = '';
      if (header[at] === '"') {
        at++;
        while (at < header.length && header[at] !== '"') {
          if (header[at] === '\\') at++;
          value += header[at] ?? '';
          at++;
        }
        at++;
      } else {
        value = read() ?? '';
      }
      challenge.params[name.toLowerCase()] = value;
      skip(/\s/);
      if (header[at] !== ',') break;
      at++;
    }
  }
  return challenges;
}

export function sha256(bytes: Buffer): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The media type a manifest was served as: its Content-Type, else the mediaType it declares. */
function servedMediaType(contentType: string | null, bytes: Buffer, fail: (why: string) => Error): string {
  const header = contentType?.split(';')[0]?.trim().toLowerCase();
  const declared = declaredMediaType(bytes);
  if (declared === null) throw fail('answered a manifest that is not a JSON object');
  const accepted = MANIFEST_MEDIA_TYPES as readonly string[];
  const mediaType = header && accepted.includes(header) ? header : declared;
  if (mediaType === undefined || !accepted.includes(mediaType)) {
    throw fail(
      `answered media type ${JSON.stringify(header ?? declared ?? 'none')}, not one of ${MANIFEST_ACCEPT} (a converted manifest has another digest)`,
    );
  }
  if (declared !== undefined && declared !== mediaType) {
    throw fail(`answered Content-Type ${mediaType} for a manifest that declares ${declared}`);
  }
  return mediaType;
}

/** The manifest's own `mediaType` (undefined when absent, as OCI allows); null when not a JSON object. */
function declaredMediaType(bytes: Buffer): string | undefined | null {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return null;
    const mediaType = (parsed as { mediaType?: unknown }).mediaType;
    return typeof mediaType === 'string' ? mediaType : undefined;
  } catch {
    return null;
  }
}

function registryErrors(body: string): Array<{ code?: unknown; message?: unknown }> {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    return Array.isArray(parsed.errors)
      ? (parsed.errors as Array<{ code?: unknown; message?: unknown }>)
      : [];
  } catch {
    return [];
  }
}

function registryMessages(body: string): string[] {
  return registryErrors(body).map((error) => {
    const code = typeof error.code === 'string' ? error.code : '';
    const message = typeof error.message === 'string' ? error.message : '';
    return code && message ? `${code}: ${message}` : code || message || 'unknown error';
  });
}

function errorCodes(body: string): string[] {
  return registryErrors(body)
    .map((error) => error.code)
    .filter((code): code is string => typeof code === 'string');
}

/** A short non-JSON body (a proxy's text) is still the best explanation there is. */
function firstLine(body: string): string | undefined {
  const line = body.trim().split('\n')[0]?.trim();
  if (!line || line.startsWith('<') || line.startsWith('{')) return undefined;
  return line.slice(0, 200);
}

/** fetch's TypeError carries the real reason (ECONNREFUSED, a TLS failure) in its cause. */
function networkReason(error: unknown): string {
  const message = (value: unknown): string | undefined =>
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { message?: unknown }).message === 'string'
      ? (value as { message: string }).message
      : undefined;
  const outer = message(error) ?? String(error);
  const cause = message((error as { cause?: unknown } | null)?.cause);
  return cause && cause !== outer ? `${outer} (${cause})` : outer;
}

const HOST =
  /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*(?::\d{1,5})?$/;

function checkHost(host: string): string {
  if (!HOST.test(host)) {
    throw new Error(`Registry host must be host[:port] without scheme or path; got ${JSON.stringify(host)}.`);
  }
  return host.toLowerCase();
}

/** 127.0.0.0/8 and localhost: the only hosts spoken to in plain HTTP. */
export function isLoopback(host: string): boolean {
  const name = host.replace(/:\d+$/, '').toLowerCase();
  if (name === 'localhost') return true;
  const octets = /^127\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(name);
  return octets !== null && octets.slice(1).every((octet) => Number(octet) <= 255);
}
