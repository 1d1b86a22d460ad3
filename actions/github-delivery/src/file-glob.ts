import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/**
 * Files matching `pattern` under `root`: a plain path, a directory (its *.json files), or a glob with
 * `*` and `?` (within one path segment) and `**` (any number of segments). Sorted, so records are
 * always read in the same order. Written here because Node 20 has no fs.glob.
 */
export function expandFilePattern(pattern: string, root: string): string[] {
  const absolute = path.resolve(root, pattern);
  if (!/[*?]/.test(pattern)) {
    const kind = statKind(absolute);
    if (kind === 'file') return [absolute];
    if (kind === 'directory')
      return readdirSync(absolute)
        .filter((entry) => entry.endsWith('.json') && statKind(path.join(absolute, entry)) === 'file')
        .sort()
        .map((entry) => path.join(absolute, entry));
    return [];
  }
  const segments = absolute.split(path.sep).filter((segment) => segment !== '');
  const firstWild = segments.findIndex((segment) => /[*?]/.test(segment));
  const base = path.sep + segments.slice(0, firstWild).join(path.sep);
  const found = new Set<string>();
  walk(base, segments.slice(firstWild), found);
  return [...found].sort();
}

function walk(directory: string, rest: string[], found: Set<string>): void {
  const [segment, ...tail] = rest;
  if (segment === undefined) return;
  if (segment === '**') {
    walk(directory, tail, found);
    for (const entry of entries(directory)) {
      if (entry.directory) walk(path.join(directory, entry.name), rest, found);
    }
    return;
  }
  const matcher = segmentPattern(segment);
  for (const entry of entries(directory)) {
    if (!matcher.test(entry.name)) continue;
    const full = path.join(directory, entry.name);
    if (tail.length === 0) {
      if (!entry.directory) found.add(full);
    } else if (entry.directory) {
      walk(full, tail, found);
    }
  }
}

function entries(directory: string): Array<{ name: string; directory: boolean }> {
  try {
    return readdirSync(directory, { withFileTypes: true })
      .filter((entry) => !entry.name.startsWith('.'))
      .map((entry) => ({
        name: entry.name,
        // Symbolic links to directories are not followed: a link to a parent would never end.
        directory: entry.isDirectory(),
      }));
  } catch {
    return [];
  }
}

function segmentPattern(segment: string): RegExp {
  const source = [...segment]
    .map((char) =>
      char === '*' ? '[^/]*' : char === '?' ? '[^/]' : char.replace(/[.+^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}$`);
}

function statKind(file: string): 'file' | 'directory' | undefined {
  try {
    const stat = statSync(file);
    return stat.isFile() ? 'file' : stat.isDirectory() ? 'directory' : undefined;
  } catch {
    return undefined;
  }
}
