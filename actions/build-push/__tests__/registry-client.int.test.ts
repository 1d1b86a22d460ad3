import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startRegistry, type RegistryServer } from '@ecs-ship/testing/registry-server';
import { RegistryClient, RegistryError } from '../src/registry-client.js';

// The client against the real thing: Debian's docker-registry (distribution 2.8) with bcrypt
// htpasswd auth on 127.0.0.1. The image is pushed over the registry API by this test itself (blob
// uploads, then the manifest), so no Docker engine is needed; the retag then has to keep the exact
// bytes, the Content-Type and the digest the registry computes on its own.
const USERNAME = 'AWS';
const PASSWORD = '123456789012-auth-token'; // moto's ECR token: the registry login in the e2e tier
const REPOSITORY = 'ml/api';
const DOCKER_V2 = 'application/vnd.docker.distribution.manifest.v2+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';

const sha256 = (bytes: Buffer | string) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const basic = (password = PASSWORD) => `Basic ${Buffer.from(`${USERNAME}:${password}`).toString('base64')}`;

/** The error a call rejected with (a test failure when it resolved). */
async function rejection(promise: Promise<unknown>): Promise<RegistryError> {
  try {
    await promise;
  } catch (error) {
    return error as RegistryError;
  }
  throw new Error('expected the call to fail');
}

let registry: RegistryServer;
let client: RegistryClient;
const layer = gzipSync(Buffer.from('a layer of the ecs-ship test image\n'.repeat(40)));
const layerDiffId = sha256('a layer of the ecs-ship test image\n'.repeat(40));
const config = Buffer.from(
  JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config: { Entrypoint: ['/bin/busybox'] },
    rootfs: { type: 'layers', diff_ids: [layerDiffId] },
  }),
);
/** Hand-written with spacing and key order of its own: any re-serialisation would change the digest. */
const dockerManifest = Buffer.from(
  `{\n   "schemaVersion": 2,\n   "mediaType": "${DOCKER_V2}",\n   "config": {"mediaType": "application/vnd.docker.container.image.v1+json", "size": ${config.length}, "digest": "${sha256(config)}"},\n   "layers": [ {"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":${layer.length},"digest":"${sha256(layer)}"} ]\n}`,
);
/** OCI allows leaving mediaType out: then only the Content-Type carries it. */
const ociManifest = Buffer.from(
  `{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","size":${config.length},"digest":"${sha256(config)}"},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","size":${layer.length},"digest":"${sha256(layer)}"}]}`,
);

/** The distribution API's monolithic upload: POST for an upload URL, PUT the bytes with their digest. */
async function uploadBlob(bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const started = await fetch(`http://${registry.host}/v2/${REPOSITORY}/blobs/uploads/`, {
    method: 'POST',
    headers: { Authorization: basic() },
  });
  await started.arrayBuffer();
  expect(started.status).toBe(202);
  const location = new URL(started.headers.get('location') ?? '', `http://${registry.host}`);
  location.searchParams.set('digest', digest);
  const finished = await fetch(location, {
    method: 'PUT',
    headers: { Authorization: basic(), 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  await finished.arrayBuffer();
  expect(finished.status).toBe(201);
  expect(finished.headers.get('docker-content-digest')).toBe(digest);
  return digest;
}

async function putManifestRaw(tag: string, bytes: Buffer, mediaType: string): Promise<string | null> {
  const response = await fetch(`http://${registry.host}/v2/${REPOSITORY}/manifests/${tag}`, {
    method: 'PUT',
    headers: { Authorization: basic(), 'Content-Type': mediaType },
    body: bytes,
  });
  const text = await response.text();
  expect([response.status, text]).toEqual([201, '']);
  return response.headers.get('docker-content-digest');
}

/** What the registry itself serves for a tag: bytes, Content-Type, its own digest. */
async function served(
  reference: string,
): Promise<{ status: number; bytes: Buffer; type: string | null; digest: string | null }> {
  const response = await fetch(`http://${registry.host}/v2/${REPOSITORY}/manifests/${reference}`, {
    headers: {
      Authorization: basic(),
      Accept: [
        DOCKER_V2,
        OCI_MANIFEST,
        'application/vnd.docker.distribution.manifest.list.v2+json',
        OCI_INDEX,
      ].join(', '),
    },
  });
  return {
    status: response.status,
    bytes: Buffer.from(await response.arrayBuffer()),
    type: response.headers.get('content-type'),
    digest: response.headers.get('docker-content-digest'),
  };
}

const manifestPuts = () => (registry.log().match(/"PUT \/v2\/ml\/api\/manifests\//g) ?? []).length;

let indexBytes: Buffer;
beforeAll(async () => {
  registry = await startRegistry({ username: USERNAME, password: PASSWORD });
  client = new RegistryClient({ host: registry.host, username: USERNAME, password: PASSWORD });
  await uploadBlob(config);
  await uploadBlob(layer);
  expect(await putManifestRaw('content-docker', dockerManifest, DOCKER_V2)).toBe(sha256(dockerManifest));
  expect(await putManifestRaw('content-oci', ociManifest, OCI_MANIFEST)).toBe(sha256(ociManifest));
  indexBytes = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [
        {
          mediaType: OCI_MANIFEST,
          size: ociManifest.length,
          digest: sha256(ociManifest),
          platform: { architecture: 'amd64', os: 'linux' },
        },
      ],
    }),
  );
  expect(await putManifestRaw('content-index', indexBytes, OCI_INDEX)).toBe(sha256(indexBytes));
}, 30_000);

afterAll(async () => {
  await registry?.stop();
});

describe('RegistryClient against docker-registry 2.8', () => {
  it("reads a manifest by tag: the exact bytes, the registry's digest, the sizes", async () => {
    const manifest = await client.getManifest(REPOSITORY, 'content-docker');
    expect(manifest?.bytes.equals(dockerManifest)).toBe(true);
    expect(manifest?.mediaType).toBe(DOCKER_V2);
    expect(manifest?.digest).toBe(sha256(dockerManifest));
    expect(manifest?.digest).toBe((await served('content-docker')).digest);
    expect(client.manifestSize(manifest!)).toBe(config.length + layer.length);
    expect(await client.manifestDigest(REPOSITORY, 'content-docker')).toBe(sha256(dockerManifest));
    expect(await client.blobSize(REPOSITORY, sha256(layer))).toBe(layer.length);
    // By digest, too.
    expect((await client.getManifest(REPOSITORY, sha256(dockerManifest)))?.bytes.equals(dockerManifest)).toBe(
      true,
    );
  });

  it('retags to new tags: exact bytes, same Content-Type, digest unchanged', async () => {
    const before = await registry.storedBytes();
    const result = await client.retag(REPOSITORY, 'content-docker', ['abc1234', 'main']);
    expect(result).toEqual({ digest: sha256(dockerManifest), created: ['abc1234', 'main'], unchanged: [] });
    for (const tag of ['abc1234', 'main']) {
      const answer = await served(tag);
      expect(answer.bytes.equals(dockerManifest)).toBe(true);
      expect(answer.type).toBe(DOCKER_V2);
      expect(answer.digest).toBe(sha256(dockerManifest));
    }
    // Tag links only: no blob was uploaded again.
    expect((await registry.storedBytes()) - before).toBeLessThan(1024);
  });

  it('retags again: every tag unchanged, success, nothing written', async () => {
    await client.retag(REPOSITORY, 'content-docker', ['rerun-1']);
    const puts = manifestPuts();
    expect(puts).toBeGreaterThan(0); // the access log does record manifest PUTs
    const stored = await registry.storedBytes();
    const result = await client.retag(REPOSITORY, 'content-docker', ['rerun-1', 'content-docker']);
    expect(result).toEqual({
      digest: sha256(dockerManifest),
      created: [],
      unchanged: ['rerun-1', 'content-docker'],
    });
    expect(manifestPuts()).toBe(puts);
    expect(await registry.storedBytes()).toBe(stored);
  });

  it('moves a tag that named another image', async () => {
    await client.retag(REPOSITORY, 'content-oci', ['moving']);
    const result = await client.retag(REPOSITORY, 'content-docker', ['moving']);
    expect(result.created).toEqual(['moving']);
    expect((await served('moving')).digest).toBe(sha256(dockerManifest));
  });

  it('keeps the Content-Type of an OCI manifest that does not declare its mediaType', async () => {
    const result = await client.retag(REPOSITORY, 'content-oci', ['oci-copy']);
    expect(result.digest).toBe(sha256(ociManifest));
    const answer = await served('oci-copy');
    expect(answer.type).toBe(OCI_MANIFEST);
    expect(answer.bytes.equals(ociManifest)).toBe(true);
    expect(answer.digest).toBe(sha256(ociManifest));
  });

  it('retags an index (a multi-platform image) as it is, not its platform manifest', async () => {
    const result = await client.retag(REPOSITORY, 'content-index', ['index-copy']);
    expect(result.digest).toBe(sha256(indexBytes));
    const answer = await served('index-copy');
    expect([answer.type, answer.digest]).toEqual([OCI_INDEX, sha256(indexBytes)]);
    expect(client.manifestSize({ bytes: answer.bytes })).toBeUndefined();
  });

  it('answers undefined for missing tags, repositories and blobs (HEAD and GET 404)', async () => {
    expect(await client.getManifest(REPOSITORY, 'content-none')).toBeUndefined();
    expect(await client.manifestDigest(REPOSITORY, 'content-none')).toBeUndefined();
    expect(await client.getManifest('ml/nothing-here', 'v1')).toBeUndefined();
    expect(await client.manifestDigest(REPOSITORY, `sha256:${'0'.repeat(64)}`)).toBeUndefined();
    expect(await client.blobSize(REPOSITORY, `sha256:${'0'.repeat(64)}`)).toBeUndefined();
  });

  it('fails a retag from a missing tag, naming registry, repository and reference', async () => {
    const error = await rejection(client.retag(REPOSITORY, 'content-none', ['x']));
    expect(error).toBeInstanceOf(RegistryError);
    expect(error.message).toBe(
      `Registry ${registry.host}, repository "ml/api", reference "content-none": GET manifest no such manifest (HTTP 404), so there is nothing to retag.`,
    );
  });

  it("passes the registry's own error on: a manifest whose blob was never uploaded", async () => {
    const missing = sha256('never uploaded');
    const bytes = Buffer.from(dockerManifest.toString('utf8').replace(sha256(layer), missing));
    const error = await rejection(client.putManifest(REPOSITORY, 'broken', bytes, DOCKER_V2));
    expect(error.message).toMatch(
      new RegExp(
        `^Registry ${registry.host.replace(/\./g, '\\.')}, repository "ml/api", reference "broken": PUT manifest answered HTTP 400 \\(MANIFEST_BLOB_UNKNOWN: blob unknown to registry\\)\\.$`,
      ),
    );
    expect(error.details.codes).toEqual(['MANIFEST_BLOB_UNKNOWN']);
  });

  it('reports refused credentials with the status and message, never the password', async () => {
    const wrong = new RegistryClient({
      host: registry.host,
      username: USERNAME,
      password: 'not-the-token-42',
    });
    const error = await rejection(wrong.getManifest(REPOSITORY, 'content-docker'));
    expect(error.message).toBe(
      `Registry ${registry.host}, repository "ml/api", reference "content-docker": GET manifest HTTP 401 (UNAUTHORIZED: authentication required): the registry refused the credentials.`,
    );
    expect(error.status).toBe(401);
    expect(error.message).not.toContain('not-the-token-42');
    expect(error.message).not.toContain(PASSWORD);
  });
});
