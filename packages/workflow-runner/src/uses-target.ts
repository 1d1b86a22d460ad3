// What a `uses:` runs here: this repository's own action or workflow (also in its pinned remote form),
// a third-party action, or a container image.
import { isReusableWorkflowPath, localPath, parseUses } from '@ecs-ship/workflow-checks/uses';

export type UsesTarget =
  | { kind: 'action'; path: string }
  | { kind: 'workflow'; path: string }
  | { kind: 'third-party'; action: string; ref: string | undefined }
  | { kind: 'docker'; image: string };

export function usesTarget(uses: string, self: string): UsesTarget {
  const reference = parseUses(uses);
  if (reference.kind === 'docker') return { kind: 'docker', image: reference.image };
  const path = localPath(reference, self);
  if (path !== undefined) {
    const relative = path.replace(/^\.\//, '');
    return isReusableWorkflowPath(relative)
      ? { kind: 'workflow', path: relative }
      : { kind: 'action', path: relative };
  }
  if (reference.kind !== 'remote') return { kind: 'action', path: '' };
  const action = (
    reference.path ? `${reference.repository}/${reference.path}` : reference.repository
  ).toLowerCase();
  return { kind: 'third-party', action, ref: reference.ref };
}
