// Path patterns as actions/upload-artifact and hashFiles() read them (one per line, `!` excludes, `*`,
// `**`, `?`, `[...]`, a directory means everything under it), over the real file system.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';

export interface Matched {
  /** Absolute paths of matched files, sorted. */
  files: string[];
  /** Per include pattern, the path its match starts from: the literal path, or a glob's fixed prefix. */
  searchPaths: string[];
}

export function matchFiles(lines: string, base: string): Matched {
  const includes: string[] = [];
  const excludes: RegExp[] = [];
  for (const raw of lines.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (line.startsWith('!')) excludes.push(patternRegex(absolute(line.slice(1).trim(), base)));
    else includes.push(absolute(line, base));
  }
  const files = new Set<string>();
  const searchPaths: string[] = [];
  for (const pattern of includes) {
    const prefix = fixedPrefix(pattern);
    searchPaths.push(prefix);
    if (prefix === pattern) {
      for (const file of walk(pattern)) files.add(file);
      continue;
    }
    const regex = patternRegex(pattern);
    for (const file of walk(prefix)) {
      if (ancestry(file, prefix).some((path) => regex.test(path))) files.add(file);
    }
  }
  const kept = [...files].filter(
    (file) => !excludes.some((regex) => ancestry(file, '/').some((path) => regex.test(path))),
  );
  return { files: kept.sort(), searchPaths };
}

/** The deepest directory every path is in. */
export function commonAncestor(paths: string[]): string {
  const [first, ...rest] = paths.map((path) => path.split(sep));
  if (!first) return sep;
  let length = first.length;
  for (const parts of rest) {
    let i = 0;
    while (i < length && i < parts.length && parts[i] === first[i]) i++;
    length = i;
  }
  return first.slice(0, length).join(sep) || sep;
}

/** `*` and `?` within a name, `**` across directories, anchored at both ends. */
export function patternRegex(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] ?? '';
    if (char === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') {
        i++;
        source += '(?:.*/)?';
      } else source += '.*';
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const close = pattern.indexOf(']', i + 1);
      if (close === -1) source += '\\[';
      else {
        source += `[${pattern
          .slice(i + 1, close)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\')}]`;
        i = close;
      }
    } else source += char.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

function absolute(pattern: string, base: string): string {
  const expanded = pattern === '~' || pattern.startsWith('~/') ? homedir() + pattern.slice(1) : pattern;
  const path = isAbsolute(expanded) ? expanded : resolve(base, expanded);
  return path.length > 1 ? path.replace(/\/+$/, '') : path;
}

function fixedPrefix(pattern: string): string {
  const parts = pattern.split('/');
  const index = parts.findIndex((part) => /[*?[]/.test(part));
  if (index === -1) return pattern;
  return parts.slice(0, index).join('/') || '/';
}

/** The file and each directory above it up to `top`: a pattern matching a directory takes what is inside. */
function ancestry(file: string, top: string): string[] {
  const paths: string[] = [];
  for (let path = file; ; path = dirname(path)) {
    paths.push(path);
    if (path === top || dirname(path) === path || relative(top, path).startsWith('..')) return paths;
  }
}

function walk(path: string): string[] {
  if (!existsSync(path)) return [];
  const stat = statSync(path);
  if (stat.isFile()) return [path];
  if (!stat.isDirectory()) return [];
  return readdirSync(path)
    .sort()
    .flatMap((name) => walk(`${path === '/' ? '' : path}/${name}`));
}
