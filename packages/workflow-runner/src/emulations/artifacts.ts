// EMULATION of actions/upload-artifact and actions/download-artifact (v4): artifacts live in a
// directory of this run, one folder per name, instead of GitHub's artifact service.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { ThirdPartyResult, ThirdPartyStep } from '../types.js';
import { commonAncestor, matchFiles, patternRegex } from '../glob.js';
import type { Emulation } from './emulation.js';

// Characters upload-artifact v4 refuses in a name.
const INVALID_NAME = /[":<>|*?\r\n\\/]/;

export const uploadArtifact: Emulation = {
  inputs: [
    'name',
    'path',
    'if-no-files-found',
    'retention-days',
    'compression-level',
    'overwrite',
    'include-hidden-files',
  ],
  run: async (step) => {
    const name = step.inputs.name || 'artifact';
    if (INVALID_NAME.test(name))
      throw new Error(`artifact name ${JSON.stringify(name)} contains a character upload-artifact refuses`);
    const paths = step.inputs.path ?? '';
    if (paths.trim() === '') throw new Error('input path is required (the files to upload)');
    const ifNoFiles = step.inputs['if-no-files-found'] || 'warn';
    if (!['warn', 'error', 'ignore'].includes(ifNoFiles)) {
      throw new Error(
        `input if-no-files-found expects warn, error or ignore, got ${JSON.stringify(ifNoFiles)}`,
      );
    }
    const overwrite = flag(step, 'overwrite');
    const includeHidden = flag(step, 'include-hidden-files');

    const matched = matchFiles(paths, step.workspace);
    const root =
      matched.searchPaths.length === 1 &&
      matched.files.length === 1 &&
      matched.files[0] === matched.searchPaths[0]
        ? dirname(matched.files[0] ?? '')
        : commonAncestor(matched.searchPaths);
    const files = matched.files.filter(
      (file) =>
        includeHidden ||
        !relative(root, file)
          .split('/')
          .some((part) => part.startsWith('.')),
    );
    const recorded = { name, path: paths, files: files.map((file) => relative(root, file)) };
    if (files.length === 0) {
      const message = `No files were found with the provided path: ${paths.trim()}. No artifacts will be uploaded.`;
      if (ifNoFiles === 'error') throw new Error(message);
      if (ifNoFiles === 'warn') step.log(`::warning::${message}`);
      return { recorded };
    }

    const target = join(step.artifactsDir, name);
    if (existsSync(target)) {
      if (!overwrite) {
        throw new Error(
          `an artifact named ${JSON.stringify(name)} already exists in this run (overwrite: true replaces it)`,
        );
      }
      await rm(target, { recursive: true, force: true });
    }
    await mkdir(target, { recursive: true });
    for (const file of files) {
      const destination = join(target, relative(root, file));
      await mkdir(dirname(destination), { recursive: true });
      await cp(file, destination);
    }
    const id = String(artifactNames(step.artifactsDir).length);
    step.log(`Uploaded ${files.length} file(s) as artifact ${name} (emulated; id ${id})`);
    return {
      outputs: {
        'artifact-id': id,
        'artifact-url': `${step.github.server_url}/${step.github.repository}/actions/runs/${step.github.run_id}/artifacts/${id}`,
        'artifact-digest': digest(target),
      },
      recorded,
    } satisfies ThirdPartyResult;
  },
};

export const downloadArtifact: Emulation = {
  inputs: [
    'name',
    'path',
    'pattern',
    'merge-multiple',
    'github-token',
    'repository',
    'run-id',
    'artifact-ids',
  ],
  run: async (step) => {
    const repository = step.inputs.repository;
    if (repository && repository.toLowerCase() !== step.github.repository.toLowerCase()) {
      throw new Error(`downloading artifacts of another repository (${repository}) is not emulated`);
    }
    if (step.inputs['artifact-ids'])
      throw new Error('input artifact-ids is not emulated; select artifacts by name or pattern');
    const runId = step.inputs['run-id'] || step.github.run_id;
    const store = runId === step.github.run_id ? step.artifactsDir : step.otherRunArtifacts[runId];
    if (store === undefined) {
      throw new Error(
        `the artifacts of run ${runId} are not known here; pass otherRunArtifacts: { '${runId}': <that run's artifactsDir> }`,
      );
    }
    const destination = resolve(step.workspace, step.inputs.path || '.');
    const name = step.inputs.name;
    const recorded: Record<string, unknown> = {
      name,
      pattern: step.inputs.pattern,
      path: destination,
      'run-id': runId,
    };

    if (name) {
      const source = join(store, name);
      if (!existsSync(source)) {
        throw new Error(
          `Artifact not found for name: ${name} (run ${runId} has: ${artifactNames(store).join(', ') || 'none'})`,
        );
      }
      await mkdir(destination, { recursive: true });
      await cp(source, destination, { recursive: true });
      step.log(`Artifact ${name} downloaded to ${destination} (emulated)`);
      return { outputs: { 'download-path': destination }, recorded: { ...recorded, downloaded: [name] } };
    }

    const filter = step.inputs.pattern ? patternRegex(step.inputs.pattern) : undefined;
    const names = artifactNames(store).filter((candidate) => !filter || filter.test(candidate));
    const merge = flag(step, 'merge-multiple');
    for (const artifact of names) {
      const target = merge ? destination : join(destination, artifact);
      await mkdir(target, { recursive: true });
      await cp(join(store, artifact), target, { recursive: true });
    }
    step.log(`Total of ${names.length} artifact(s) downloaded to ${destination} (emulated)`);
    return { outputs: { 'download-path': destination }, recorded: { ...recorded, downloaded: names } };
  },
};

function flag(step: ThirdPartyStep, name: string): boolean {
  const value = (step.inputs[name] ?? '').trim().toLowerCase();
  if (value === '' || value === 'false') return false;
  if (value === 'true') return true;
  throw new Error(`input ${name} expects true or false, got ${JSON.stringify(step.inputs[name])}`);
}

function artifactNames(directory: string): string[] {
  if (!existsSync(directory)) return [];
  return readdirSync(directory)
    .filter((name) => statSync(join(directory, name)).isDirectory())
    .sort();
}

function digest(directory: string): string {
  const hash = createHash('sha256');
  const visit = (path: string): void => {
    for (const name of readdirSync(path).sort()) {
      const child = join(path, name);
      if (statSync(child).isDirectory()) visit(child);
      else hash.update(`${relative(directory, child)}\0`).update(readFileSync(child));
    }
  };
  visit(directory);
  return hash.digest('hex');
}
