// What a `uses:` value names: a path in this repository, a container image, or another repository at a ref.
import { posix } from 'node:path';

export type UsesReference =
  | { kind: 'local'; path: string }
  | { kind: 'docker'; image: string }
  | { kind: 'remote'; repository: string; path: string; ref: string | undefined };

export function parseUses(uses: string): UsesReference {
  const value = uses.trim();
  if (value.startsWith('./') || value === '.') return { kind: 'local', path: posix.normalize(value) };
  if (value.startsWith('docker://')) return { kind: 'docker', image: value.slice('docker://'.length) };
  const at = value.lastIndexOf('@');
  const name = at === -1 ? value : value.slice(0, at);
  const ref = at === -1 ? undefined : value.slice(at + 1);
  const [owner = '', repo = '', ...path] = name.split('/');
  return { kind: 'remote', repository: `${owner}/${repo}`, path: path.join('/'), ref };
}

/**
 * The repository-relative path a reference points at when it names this repository's own files: `./x`, or
 * `OWNER/REPO/x@ref` when OWNER/REPO is this repository (how the examples call our workflows and actions).
 */
export function localPath(reference: UsesReference, selfRepository: string | undefined): string | undefined {
  if (reference.kind === 'local') return reference.path === '.' ? '' : reference.path;
  if (
    reference.kind === 'remote' &&
    selfRepository !== undefined &&
    reference.repository.toLowerCase() === selfRepository.toLowerCase()
  ) {
    return reference.path;
  }
  return undefined;
}

export function isReusableWorkflowPath(path: string): boolean {
  return /^\.github\/workflows\/[^/]+\.ya?ml$/.test(path);
}

/** `actions/checkout` for `actions/checkout@v4`, so rules can recognise an action at any ref. */
export function remoteName(reference: UsesReference): string | undefined {
  if (reference.kind !== 'remote') return undefined;
  return (reference.path ? `${reference.repository}/${reference.path}` : reference.repository).toLowerCase();
}
