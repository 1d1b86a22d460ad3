// The checked repository: reads the workflow and action files that `uses:` values name, once each.
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import { isReusableWorkflowPath, localPath, parseUses } from './uses.js';
import { YamlFile } from './yaml-file.js';

export interface LocalTarget {
  kind: 'workflow' | 'action';
  /** The workflow file, or the action's directory, relative to the root. */
  path: string;
  /** Undefined when nothing is there. */
  file: YamlFile | undefined;
}

export class Repository {
  private readonly files = new Map<string, YamlFile | undefined>();

  constructor(
    readonly root: string,
    /** OWNER/REPO of this repository: `OWNER/REPO/path@ref` then names local files too. */
    readonly selfRepository?: string,
  ) {}

  /** A file by repository-relative path; undefined when it is missing or outside the root. */
  read(path: string): YamlFile | undefined {
    const normalised = posix.normalize(path);
    if (this.files.has(normalised)) return this.files.get(normalised);
    const absolute = resolve(this.root, normalised);
    const fromRoot = relative(this.root, absolute);
    const inside = !fromRoot.startsWith('..') && !isAbsolute(fromRoot);
    const file =
      inside && existsSync(absolute) && statSync(absolute).isFile()
        ? YamlFile.read(normalised, absolute)
        : undefined;
    this.files.set(normalised, file);
    return file;
  }

  action(directory: string): YamlFile | undefined {
    return this.read(posix.join(directory, 'action.yml')) ?? this.read(posix.join(directory, 'action.yaml'));
  }

  /** What a `uses:` value names in this repository; undefined for other repositories and images. */
  target(uses: string): LocalTarget | undefined {
    const path = localPath(parseUses(uses), this.selfRepository);
    if (path === undefined) return undefined;
    if (isReusableWorkflowPath(path)) return { kind: 'workflow', path, file: this.read(path) };
    return { kind: 'action', path, file: this.action(path) };
  }

  absolute(path: string): string {
    return join(this.root, path);
  }
}
