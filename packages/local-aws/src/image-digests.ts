import { createHash } from 'node:crypto';

const PINNED = /@(sha256:[a-f0-9]{64})$/;

/**
 * What a tag resolves to, over simulated time, as a registry would answer. ECS resolves a tag to a
 * digest when a deployment starts (versionConsistency, on by default), so a revision's tasks run
 * the digest the tag had when that revision was created, whatever the tag points at later. A tag
 * nobody set resolves to a digest derived from the image string (stable across runs).
 */
export class ImageDigests {
  private readonly history: Array<{ image: string; digest: string; at: number }> = [];
  /** taskDefinitionArn → container → the digest its last running task reports (driftDigest). */
  private readonly drifted = new Map<string, Map<string, string>>();

  /** From `at` on, `image` (a tag) resolves to `digest`. */
  set(image: string, digest: string, at: number): void {
    if (!/^sha256:[a-f0-9]{64}$/.test(digest)) throw new Error(`not a sha256 digest: ${digest}`);
    this.history.push({ image, digest, at });
  }

  /** The digest `image` resolved to at simulated time `at`. */
  at(image: string, at: number): string {
    const pinned = PINNED.exec(image)?.[1];
    if (pinned) return pinned;
    const latest = this.history.filter((entry) => entry.image === image && entry.at <= at).at(-1);
    return latest?.digest ?? `sha256:${createHash('sha256').update(image).digest('hex')}`;
  }

  drift(taskDefinitionArn: string, container: string, digest: string): void {
    let containers = this.drifted.get(taskDefinitionArn);
    if (!containers) this.drifted.set(taskDefinitionArn, (containers = new Map()));
    containers.set(container, digest);
  }

  driftOf(taskDefinitionArn: string, container: string): string | undefined {
    return this.drifted.get(taskDefinitionArn)?.get(container);
  }

  clear(): void {
    this.history.length = 0;
    this.drifted.clear();
  }
}
