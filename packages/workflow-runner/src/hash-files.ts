// hashFiles(): the runner's algorithm: the SHA-256 of each matched file under the workspace, then the
// SHA-256 of those digests in order; '' when nothing matches.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { sep } from 'node:path';
import { matchFiles } from './glob.js';

export function hashFiles(patterns: string[], workspace: string): string {
  const inside = `${workspace.replace(/\/+$/, '')}${sep}`;
  const files = matchFiles(patterns.join('\n'), workspace).files.filter((file) => file.startsWith(inside));
  if (files.length === 0) return '';
  const result = createHash('sha256');
  for (const file of files) result.update(createHash('sha256').update(readFileSync(file)).digest());
  return result.digest('hex');
}
