import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from '@jest/globals';
import { startHttpServer, type TestHttpServer } from '@ecs-ship/testing/http-server';
import {
  isLoopback,
  MANIFEST_ACCEPT,
  parseChallenges,
  RegistryClient,
  RegistryError,
} from '../src/registry-client.js';

// The registry protocol against a hand-made registry: a local HTTP server that speaks just enough of
// the distribution API (manifests by tag and digest, Basic or Bearer auth, the registry's JSON
// errors) to pin each protocol case. The real Debian docker-registry runs in registry-client.int.test.ts.

const USER = 'AWS';
const PASSWORD = 'sekrit-password-123';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

/** Key order and spacing no serialiser would reproduce: re-serialising would change the digest. */
const IMAGE_BYTES = `{"schemaVersion":2,\n  "mediaType":"${DOCKER_V2}",  "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1470,"digest":"sha256:${'c'.repeat(64)}"},"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":1000,"digest":"sha256:${'a'.repeat(64)}"},{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":2500,"digest":"sha256:${'b'.repeat(64)}"}]}\n`;
const INDEX_BYTES = `{"schemaVersion":2,"mediaType":"${OCI_INDEX}","manifests":[{"mediaType":"${OCI_MANIFEST}","size":10,"digest":"sha256:${'d'.repeat(64)}","platform":{"architecture":"amd64","os":"linux"}}]}`;
const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

type Auth = 'none' | 'basic' | 'bearer';

interface StoredManifest {
  bytes: string;
  mediaType: string;
}

interface HandMadeRegistry {
  server: TestHttpServer;
  host: string;
  /** `repo:tag` and `repo@digest` → manifest. */
  manifests: Map<string, StoredManifest>;
  /** Scopes of the tokens the token service handed out, in order. */
  tokenScopes: string[];
  /** Tokens the registry no longer accepts (expired). */
  revoked: Set<string>;
  /** Answers a request before the registry does (errors, odd headers); return true when answered. */
  intercept?: (req: IncomingMessage, res: ServerResponse, body: string) => boolean;
  close(): Promise<void>;
}

/** The error a call rejected with (a test failure when it resolved). */
async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    return error as RegistryError;
  }
  throw new Error('expected the call to fail');
}

const started: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((server) => server.close()));
});

async function handMadeRegistry(
  auth: Auth,
  seed: Record<string, StoredManifest> = {},
): Promise<HandMadeRegistry> {
  const tokens = new Map<string, string>();
  const registry: HandMadeRegistry = {
    server: undefined as unknown as TestHttpServer,
    host: '',
    manifests: new Map(),
    tokenScopes: [],
    revoked: new Set(),
    close: () => registry.server.close(),
  };
  const store = (repository: string, tag: string, manifest: StoredManifest) => {
    registry.manifests.set(`${repository}:${tag}`, manifest);
    registry.manifests.set(`${repository}@${digestOf(manifest.bytes)}`, manifest);
  };
  for (const [ref, manifest] of Object.entries(seed)) {
    const [repository, tag] = ref.split(':') as [string, string];
    store(repository, tag, manifest);
  }
  const fail = (res: ServerResponse, status: number, code: string, message: string, headers = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify({ errors: [{ code, message, detail: null }] }));
  };

  registry.server = await startHttpServer((req, res, body) => {
    if (registry.intercept?.(req, res, body)) return;
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/token') {
      const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== basic) return fail(res, 401, 'UNAUTHORIZED', 'bad token credentials');
      const scope = url.searchParams.getAll('scope').join(' ');
      const token = `token-${registry.tokenScopes.push(`${url.searchParams.get('service')}|${scope}`)}`;
      tokens.set(token, scope);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ token, expires_in: 300 }));
      return;
    }
    const match = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!match) return fail(res, 404, 'NOT_FOUND', 'no such route');
    const [, repository, reference] = match as unknown as [string, string, string];
    const push = req.method === 'PUT';
    const scope = `repository:${repository}:${push ? 'pull,push' : 'pull'}`;
    if (auth === 'basic') {
      const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        return fail(res, 401, 'UNAUTHORIZED', 'authentication required', {
          'www-authenticate': 'Basic realm="hand-made registry"',
        });
      }
    }
    if (auth === 'bearer') {
      const token = req.headers.authorization?.replace(/^Bearer /, '');
      const granted = token !== undefined && !registry.revoked.has(token) ? tokens.get(token) : undefined;
      if (granted === undefined || (push && !granted.endsWith('push'))) {
        const error = granted === undefined ? '' : ',error="insufficient_scope"';
        return fail(res, 401, 'UNAUTHORIZED', 'authentication required', {
          'www-authenticate': `Bearer realm="${registry.server.url}/token",service="hand-made",scope="${scope}"${error}`,
        });
      }
    }
    const key = reference.startsWith('sha256:') ? `${repository}@${reference}` : `${repository}:${reference}`;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const manifest = registry.manifests.get(key);
      if (!manifest) return fail(res, 404, 'MANIFEST_UNKNOWN', 'manifest unknown');
      res.writeHead(200, {
        'content-type': manifest.mediaType,
        'docker-content-digest': digestOf(manifest.bytes),
        'content-length': Buffer.byteLength(manifest.bytes),
      });
      res.end(req.method === 'GET' ? manifest.bytes : undefined);
      return;
    }
    if (req.method === 'PUT') {
      store(repository, reference, { bytes: body, mediaType: req.headers['content-type'] ?? '' });
      res.writeHead(201, {
        'docker-content-digest': digestOf(body),
        location: `/v2/${repository}/manifests/${digestOf(body)}`,
      });
      res.end();
      return;
    }
    fail(res, 405, 'UNSUPPORTED', 'method not allowed');
  });
  registry.host = `127.0.0.1:${registry.server.port}`;
  started.push(registry);
  return registry;
}

const image = { bytes: IMAGE_BYTES, mediaType: DOCKER_V2 };
const client = (registry: HandMadeRegistry, credentials = { username: USER, password: PASSWORD }) =>
  new RegistryClient({ host: registry.host, ...credentials });
const manifestRequests = (registry: HandMadeRegistry) =>
  registry.server.requests.filter((request) => request.url.includes('/manifests/'));

describe('RegistryClient manifests', () => {
  it('reads a manifest as its exact bytes with the full Accept list, its Content-Type and sha256', async () => {
    const registry = await handMadeRegistry('none', { 'ml/api:content-1': image });
    const manifest = await client(registry).getManifest('ml/api', 'content-1');
    expect(manifest?.bytes.toString('utf8')).toBe(IMAGE_BYTES);
    expect(manifest?.mediaType).toBe(DOCKER_V2);
    expect(manifest?.digest).toBe(digestOf(IMAGE_BYTES));
    expect(registry.server.requests[0]?.headers.accept).toBe(MANIFEST_ACCEPT);
    expect(MANIFEST_ACCEPT.split(', ')).toEqual([
      DOCKER_V2,
      OCI_MANIFEST,
      'application/vnd.docker.distribution.manifest.list.v2+json',
      OCI_INDEX,
    ]);
  });

  it('answers undefined for a tag the registry does not have (GET and HEAD 404)', async () => {
    const registry = await handMadeRegistry('none');
    expect(await client(registry).getManifest('ml/api', 'content-missing')).toBeUndefined();
    expect(await client(registry).manifestDigest('ml/api', 'content-missing')).toBeUndefined();
    expect(registry.server.requests.map((r) => r.method)).toEqual(['GET', 'HEAD']);
  });

  it('reads an index (a multi-platform image) the same way', async () => {
    const registry = await handMadeRegistry('none', {
      'ml/api:multi': { bytes: INDEX_BYTES, mediaType: OCI_INDEX },
    });
    const manifest = await client(registry).getManifest('ml/api', 'multi');
    expect(manifest).toMatchObject({ mediaType: OCI_INDEX, digest: digestOf(INDEX_BYTES) });
    expect(client(registry).manifestSize(manifest!)).toBeUndefined();
  });

  it('refuses a manifest whose Docker-Content-Digest is not the sha256 of its bytes', async () => {
    const registry = await handMadeRegistry('none');
    registry.intercept = (_req, res) => {
      res.writeHead(200, { 'content-type': DOCKER_V2, 'docker-content-digest': `sha256:${'0'.repeat(64)}` });
      res.end(IMAGE_BYTES);
      return true;
    };
    await expect(client(registry).getManifest('ml/api', 'v1')).rejects.toThrow(
      `Registry ${registry.host}, repository "ml/api", reference "v1": GET manifest the registry says sha256:${'0'.repeat(64)} but the manifest bytes hash to ${digestOf(IMAGE_BYTES)}.`,
    );
  });

  it('refuses a manifest served for a digest that hashes to another digest', async () => {
    const registry = await handMadeRegistry('none');
    const asked = `sha256:${'e'.repeat(64)}`;
    registry.intercept = (_req, res) => {
      res.writeHead(200, { 'content-type': DOCKER_V2 });
      res.end(IMAGE_BYTES);
      return true;
    };
    await expect(client(registry).getManifest('ml/api', asked)).rejects.toThrow(
      `the manifest served for ${asked} hashes to ${digestOf(IMAGE_BYTES)}`,
    );
  });

  it('refuses a converted schema 1 manifest instead of retagging another digest', async () => {
    const registry = await handMadeRegistry('none');
    registry.intercept = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.distribution.manifest.v1+prettyjws' });
      res.end('{"schemaVersion":1,"name":"ml/api","tag":"v1"}');
      return true;
    };
    await expect(client(registry).getManifest('ml/api', 'v1')).rejects.toThrow(
      /answered media type "application\/vnd\.docker\.distribution\.manifest\.v1\+prettyjws", not one of/,
    );
  });

  it('takes the media type an OCI manifest declares when the Content-Type is generic', async () => {
    const registry = await handMadeRegistry('none');
    const bytes = `{"schemaVersion":2,"mediaType":"${OCI_MANIFEST}","config":{"size":2},"layers":[]}`;
    registry.intercept = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
      res.end(bytes);
      return true;
    };
    expect((await client(registry).getManifest('ml/api', 'v1'))?.mediaType).toBe(OCI_MANIFEST);
  });

  it('PUTs the exact bytes with their media type as Content-Type', async () => {
    const registry = await handMadeRegistry('none');
    const digest = await client(registry).putManifest('ml/api', 'v1', Buffer.from(IMAGE_BYTES), DOCKER_V2);
    expect(digest).toBe(digestOf(IMAGE_BYTES));
    const put = registry.server.requests.find((r) => r.method === 'PUT');
    expect(put?.body).toBe(IMAGE_BYTES);
    expect(put?.headers['content-type']).toBe(DOCKER_V2);
    expect(put?.url).toBe('/v2/ml/api/manifests/v1');
  });

  it('refuses to PUT bytes whose declared mediaType is not the Content-Type, before any request', async () => {
    const registry = await handMadeRegistry('none');
    await expect(
      client(registry).putManifest('ml/api', 'v1', Buffer.from(IMAGE_BYTES), OCI_MANIFEST),
    ).rejects.toThrow(`the manifest declares mediaType ${DOCKER_V2} but was to be sent as ${OCI_MANIFEST}`);
    expect(registry.server.requests).toHaveLength(0);
  });

  it('fails when the registry stored the manifest under another digest', async () => {
    const registry = await handMadeRegistry('none');
    registry.intercept = (req, res) => {
      res.writeHead(201, { 'docker-content-digest': `sha256:${'f'.repeat(64)}` });
      res.end();
      return req.method === 'PUT';
    };
    await expect(
      client(registry).putManifest('ml/api', 'v1', Buffer.from(IMAGE_BYTES), DOCKER_V2),
    ).rejects.toThrow(`the registry says sha256:${'f'.repeat(64)} but the manifest bytes hash to`);
  });

  it("names registry, repository, reference, status and the registry's own message on an error", async () => {
    const registry = await handMadeRegistry('none');
    registry.intercept = (req, res) => {
      if (req.method !== 'PUT') return false;
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          errors: [
            {
              code: 'TAG_INVALID',
              message:
                "The image tag 'v1' already exists in the 'ml/api' repository and cannot be overwritten because the repository is immutable.",
            },
          ],
        }),
      );
      return true;
    };
    const error = await client(registry)
      .putManifest('ml/api', 'v1', Buffer.from(IMAGE_BYTES), DOCKER_V2)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toBe(
      `Registry ${registry.host}, repository "ml/api", reference "v1": PUT manifest answered HTTP 400 (TAG_INVALID: The image tag 'v1' already exists in the 'ml/api' repository and cannot be overwritten because the repository is immutable.).`,
    );
    expect((error as RegistryError).details).toMatchObject({ status: 400, codes: ['TAG_INVALID'] });
  });

  it('checks repository names and references before they become a URL', async () => {
    const registry = await handMadeRegistry('none');
    await expect(client(registry).getManifest('ML/../api', 'v1')).rejects.toThrow(
      'not a valid repository name',
    );
    await expect(client(registry).getManifest('ml/api', '../../v2')).rejects.toThrow('not a valid tag');
    await expect(client(registry).retag('ml/api', 'v1', ['ok', 'bad tag'])).rejects.toThrow(
      'reference "bad tag": PUT manifest not a valid tag',
    );
    expect(registry.server.requests).toHaveLength(0);
  });
});

describe('RegistryClient retag', () => {
  it('gives a manifest new tags with the same bytes and Content-Type; the digest never changes', async () => {
    const registry = await handMadeRegistry('basic', { 'ml/api:content-1': image });
    const result = await client(registry).retag('ml/api', 'content-1', ['abc123', 'main', 'abc123']);
    expect(result).toEqual({ digest: digestOf(IMAGE_BYTES), created: ['abc123', 'main'], unchanged: [] });
    for (const tag of ['abc123', 'main']) {
      expect(registry.manifests.get(`ml/api:${tag}`)).toEqual(image);
    }
    const puts = registry.server.requests.filter((r) => r.method === 'PUT' && r.headers.authorization);
    expect(puts.map((r) => [r.url, r.headers['content-type'], r.body])).toEqual([
      ['/v2/ml/api/manifests/abc123', DOCKER_V2, IMAGE_BYTES],
      ['/v2/ml/api/manifests/main', DOCKER_V2, IMAGE_BYTES],
    ]);
  });

  it('counts a tag that already points at the manifest as unchanged and writes nothing (a re-run)', async () => {
    const registry = await handMadeRegistry('none', { 'ml/api:content-1': image, 'ml/api:abc123': image });
    const result = await client(registry).retag('ml/api', 'content-1', ['abc123', 'content-1']);
    expect(result).toEqual({
      digest: digestOf(IMAGE_BYTES),
      created: [],
      unchanged: ['abc123', 'content-1'],
    });
    expect(registry.server.requests.filter((r) => r.method === 'PUT')).toHaveLength(0);
    expect(manifestRequests(registry).every((r) => r.headers.accept === MANIFEST_ACCEPT)).toBe(true);
  });

  it('moves a tag that points at another manifest', async () => {
    const other = { bytes: IMAGE_BYTES.replace('2500', '2501'), mediaType: DOCKER_V2 };
    const registry = await handMadeRegistry('none', { 'ml/api:content-1': image, 'ml/api:main': other });
    const result = await client(registry).retag('ml/api', 'content-1', ['main']);
    expect(result.created).toEqual(['main']);
    expect(registry.manifests.get('ml/api:main')).toEqual(image);
  });

  it('treats a refused PUT as success when the tag meanwhile names the same manifest (a concurrent run)', async () => {
    const registry = await handMadeRegistry('none', { 'ml/api:content-1': image });
    let heads = 0;
    registry.intercept = (req, res) => {
      if (req.method === 'HEAD' && req.url?.endsWith('/abc123') && heads++ === 0) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}');
        return true;
      }
      if (req.method !== 'PUT') return false;
      registry.manifests.set('ml/api:abc123', image); // the other run's write
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end('{"errors":[{"code":"TAG_INVALID","message":"tag is immutable"}]}');
      return true;
    };
    const result = await client(registry).retag('ml/api', 'content-1', ['abc123']);
    expect(result).toEqual({ digest: digestOf(IMAGE_BYTES), created: [], unchanged: ['abc123'] });
  });

  it('fails naming the source reference when there is nothing to retag', async () => {
    const registry = await handMadeRegistry('none');
    const error = await rejection(client(registry).retag('ml/api', 'content-gone', ['abc']));
    expect(error.message).toBe(
      `Registry ${registry.host}, repository "ml/api", reference "content-gone": GET manifest no such manifest (HTTP 404), so there is nothing to retag.`,
    );
    expect(error.status).toBe(404);
  });
});

describe('RegistryClient authentication', () => {
  it('answers a Basic challenge, then sends Basic credentials without waiting to be asked', async () => {
    const registry = await handMadeRegistry('basic', { 'ml/api:v1': image });
    const registryClient = client(registry);
    await registryClient.getManifest('ml/api', 'v1');
    await registryClient.getManifest('ml/api', 'v1');
    const sent = registry.server.requests.map((r) => r.headers.authorization ?? 'none');
    const basic = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`;
    expect(sent).toEqual(['none', basic, basic]);
  });

  it("reports refused credentials with the registry's message and never the password", async () => {
    const registry = await handMadeRegistry('basic', { 'ml/api:v1': image });
    const error = await rejection(
      client(registry, { username: USER, password: 'wrong-password-456' }).getManifest('ml/api', 'v1'),
    );
    expect(error.message).toBe(
      `Registry ${registry.host}, repository "ml/api", reference "v1": GET manifest HTTP 401 (UNAUTHORIZED: authentication required): the registry refused the credentials.`,
    );
    expect(error.status).toBe(401);
    expect(JSON.stringify({ message: error.message, details: error.details })).not.toContain(
      'wrong-password',
    );
  });

  it('redacts the password even when a registry echoes it back', async () => {
    const registry = await handMadeRegistry('none');
    registry.intercept = (_req, res) => {
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'UNKNOWN', message: `bad auth ${PASSWORD}` }] }));
      return true;
    };
    const error = await rejection(client(registry).getManifest('ml/api', 'v1'));
    expect(error.message).toContain('HTTP 500 (UNKNOWN: bad auth ***)');
    expect(error.message).not.toContain(PASSWORD);
  });

  it('asks for credentials a registry wants when none were given', async () => {
    const registry = await handMadeRegistry('basic');
    await expect(new RegistryClient({ host: registry.host }).getManifest('ml/api', 'v1')).rejects.toThrow(
      'GET manifest HTTP 401 (UNAUTHORIZED: authentication required): the registry asks for credentials and none were given.',
    );
  });

  it('answers a Bearer challenge: realm, service and scope, with Basic credentials to the token service', async () => {
    const registry = await handMadeRegistry('bearer', { 'ml/api:content-1': image });
    const registryClient = client(registry);
    await registryClient.retag('ml/api', 'content-1', ['abc123']);
    await registryClient.getManifest('ml/api', 'abc123');
    // One pull token (GET, HEAD, GET again) and one push token (PUT), each fetched once.
    expect(registry.tokenScopes).toEqual([
      'hand-made|repository:ml/api:pull',
      'hand-made|repository:ml/api:pull,push',
    ]);
    const tokenRequest = registry.server.requests.find((r) => r.url.startsWith('/token'));
    expect(tokenRequest?.headers.authorization).toBe(
      `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`,
    );
    const put = registry.server.requests.find((r) => r.method === 'PUT' && r.headers.authorization);
    expect(put?.headers.authorization).toBe('Bearer token-2');
    expect(registry.manifests.get('ml/api:abc123')).toEqual(image);
  });

  it('fetches a new token when the registry stops accepting the old one (expired)', async () => {
    const registry = await handMadeRegistry('bearer', { 'ml/api:v1': image });
    const registryClient = client(registry);
    await registryClient.getManifest('ml/api', 'v1');
    registry.revoked.add('token-1');
    expect((await registryClient.getManifest('ml/api', 'v1'))?.digest).toBe(digestOf(IMAGE_BYTES));
    expect(registry.tokenScopes).toHaveLength(2);
  });

  it('reports a token service that refuses, naming it and the status, never the password', async () => {
    const registry = await handMadeRegistry('bearer', { 'ml/api:v1': image });
    const error = await rejection(
      client(registry, { username: USER, password: 'not-it-789' }).getManifest('ml/api', 'v1'),
    );
    expect(error.message).toBe(
      `Registry ${registry.host}, repository "ml/api", reference "v1": GET manifest the token service ${registry.server.url}/token answered HTTP 401 (UNAUTHORIZED: bad token credentials).`,
    );
    expect(error.message).not.toContain('not-it-789');
  });

  it('never sends credentials to a token service on plain http off loopback', async () => {
    const calls: string[] = [];
    const fetchStub: typeof fetch = async (input) => {
      calls.push(String(input));
      return new Response('{}', {
        status: 401,
        headers: { 'www-authenticate': 'Bearer realm="http://auth.example.com/token",service="x"' },
      });
    };
    const registryClient = new RegistryClient({
      host: 'registry.example.com',
      username: USER,
      password: PASSWORD,
      fetch: fetchStub,
    });
    await expect(registryClient.getManifest('ml/api', 'v1')).rejects.toThrow(
      'the token service http://auth.example.com/token is not https; credentials are not sent there',
    );
    expect(calls).toEqual(['https://registry.example.com/v2/ml/api/manifests/v1']);
  });

  it('keeps the Authorization header on its own origin when a registry redirects', async () => {
    const storage = await startHttpServer((_req, res) => {
      res.writeHead(200, { 'content-length': '4242' });
      res.end();
    });
    started.push(storage);
    const registry = await handMadeRegistry('basic');
    registry.intercept = (req, res) => {
      if (!req.url?.includes('/blobs/')) return false;
      if (!req.headers.authorization) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="r"' });
        res.end();
        return true;
      }
      res.writeHead(307, { location: `${storage.url}/blob-data?signed=1` });
      res.end();
      return true;
    };
    expect(await client(registry).blobSize('ml/api', `sha256:${'a'.repeat(64)}`)).toBe(4242);
    expect(storage.requests).toHaveLength(1);
    expect(storage.requests[0]?.headers.authorization).toBeUndefined();
  });
});

describe('RegistryClient transport', () => {
  const recordingFetch =
    (urls: string[]): typeof fetch =>
    async (input) => {
      urls.push(String(input));
      return new Response('', { status: 404 });
    };

  it.each([
    ['127.0.0.1:5000', 'http://127.0.0.1:5000/v2/ml/api/manifests/v1'],
    ['127.10.0.3:5000', 'http://127.10.0.3:5000/v2/ml/api/manifests/v1'],
    ['localhost:5000', 'http://localhost:5000/v2/ml/api/manifests/v1'],
    [
      '123456789012.dkr.ecr.eu-west-1.amazonaws.com',
      'https://123456789012.dkr.ecr.eu-west-1.amazonaws.com/v2/ml/api/manifests/v1',
    ],
    ['128.0.0.1:5000', 'https://128.0.0.1:5000/v2/ml/api/manifests/v1'],
  ])('speaks to %s at %s', async (host, url) => {
    const urls: string[] = [];
    await new RegistryClient({ host, fetch: recordingFetch(urls) }).getManifest('ml/api', 'v1');
    expect(urls).toEqual([url]);
  });

  it('refuses plain http off loopback', () => {
    expect(() => new RegistryClient({ host: 'registry.example.com', scheme: 'http' })).toThrow(
      'Registry registry.example.com: plain http is only used on 127.0.0.0/8 and localhost',
    );
  });

  it.each(['https://registry.example.com', 'registry.example.com/ml', ''])('refuses the host %j', (host) => {
    expect(() => new RegistryClient({ host })).toThrow(
      'Registry host must be host[:port] without scheme or path',
    );
  });

  it.each([
    ['127.0.0.1', true],
    ['127.255.255.254:80', true],
    ['LOCALHOST:1', true],
    ['127.0.0.256', false],
    ['127.0.0.1.example.com', false],
    ['localhost.example.com', false],
    ['10.0.0.1', false],
  ])('isLoopback(%s) is %s', (host, expected) => {
    expect(isLoopback(host)).toBe(expected);
  });

  it('names the registry and the reason when it cannot be reached', async () => {
    const server = await startHttpServer(() => {});
    const host = `127.0.0.1:${server.port}`;
    await server.close();
    await expect(new RegistryClient({ host }).getManifest('ml/api', 'v1')).rejects.toThrow(
      new RegExp(
        `^Registry ${host}, repository "ml/api", reference "v1": GET manifest the request failed: fetch failed \\(.*ECONNREFUSED.*\\)\\.$`,
      ),
    );
  });
});

describe('manifestSize', () => {
  const registryClient = new RegistryClient({ host: '127.0.0.1:1' });
  it('adds the config and layer sizes of an image manifest', () => {
    expect(registryClient.manifestSize({ bytes: Buffer.from(IMAGE_BYTES) })).toBe(1470 + 1000 + 2500);
  });
  it.each([
    ['an index', INDEX_BYTES],
    ['a size that is not a number', '{"config":{"size":"1"},"layers":[]}'],
    ['no JSON', 'nope'],
  ])('is undefined for %s', (_name, bytes) => {
    expect(registryClient.manifestSize({ bytes: Buffer.from(bytes) })).toBeUndefined();
  });
});

describe('parseChallenges', () => {
  it.each([
    ['Basic realm="ecr"', [{ scheme: 'basic', params: { realm: 'ecr' } }]],
    [
      'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:ml/api:pull,push"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.example.com/token',
            service: 'registry.example.com',
            scope: 'repository:ml/api:pull,push',
          },
        },
      ],
    ],
    [
      'Bearer realm="https://a/t", error="insufficient_scope", Basic realm="x \\"quoted\\""',
      [
        { scheme: 'bearer', params: { realm: 'https://a/t', error: 'insufficient_scope' } },
        { scheme: 'basic', params: { realm: 'x "quoted"' } },
      ],
    ],
    ['', []],
  ])('parses %j', (header, expected) => {
    expect(parseChallenges(header)).toEqual(expected);
  });
});
