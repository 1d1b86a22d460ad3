import { ConfigurationError } from '@ecs-ship/shared/errors';
import { variantLabel, type Variant } from './variant.js';

/**
 * The stage names of a Dockerfile (`FROM [--platform=...] image AS name`), in order, as written.
 * Read the way BuildKit reads it: the `# escape=` parser directive, line continuations (comment
 * and blank lines inside them dropped), comments, case-insensitive keywords, and heredoc bodies
 * (`RUN <<EOF`), whose lines are not instructions.
 */
export function dockerfileStages(text: string): string[] {
  const stages: string[] = [];
  for (const instruction of instructions(text)) {
    const from = /^FROM\s+(.*)$/is.exec(instruction);
    if (!from) continue;
    const words = (from[1] as string).split(/\s+/).filter((word) => word !== '' && !word.startsWith('--'));
    if (words.length === 3 && words[1]?.toLowerCase() === 'as') stages.push(words[2] as string);
  }
  return stages;
}

/** Every variant's target must be a stage of the Dockerfile (stage names are case-insensitive). */
export function checkTargets(variants: Variant[], stages: string[], file: string): void {
  variants.forEach((variant, index) => {
    const target = variant.target;
    if (target === undefined) return;
    if (stages.some((stage) => stage.toLowerCase() === target.toLowerCase())) return;
    throw new ConfigurationError(
      `${variantLabel(variant, index)}.target must be a stage of ${file} (${
        stages.length > 0 ? stages.join(', ') : 'it names no stage with FROM ... AS'
      }); got ${JSON.stringify(target)}.`,
    );
  });
}

/** The logical lines of a Dockerfile that are instructions. */
function instructions(text: string): string[] {
  const lines = text.split(/\r?\n/);
  const escape = escapeCharacter(lines);
  const result: string[] = [];
  let current: string | undefined;
  let heredocs: Array<{ word: string; stripTabs: boolean }> = [];
  for (const line of lines) {
    if (heredocs.length > 0) {
      const { word, stripTabs } = heredocs[0] as { word: string; stripTabs: boolean };
      if ((stripTabs ? line.replace(/^\t+/, '') : line) === word) heredocs = heredocs.slice(1);
      continue;
    }
    const trimmed = line.trim();
    // Comment lines count as absent, also between continued lines, and so do blank lines.
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const continued = trimmed.endsWith(escape);
    const part = continued ? line.trimEnd().slice(0, -1) : line;
    current = current === undefined ? part.trimStart() : current + part;
    if (continued) continue;
    result.push(current.trim());
    heredocs = heredocWords(current);
    current = undefined;
  }
  if (current !== undefined) result.push(current.trim());
  return result;
}

/** `# escape=\`` (or `\`) among the parser directives at the very top; `\` otherwise. */
function escapeCharacter(lines: string[]): string {
  for (const line of lines) {
    const directive = /^\s*#\s*([A-Za-z]+)\s*=\s*(\S+)\s*$/.exec(line);
    if (!directive) break;
    if (
      (directive[1] as string).toLowerCase() === 'escape' &&
      (directive[2] === '`' || directive[2] === '\\')
    ) {
      return directive[2];
    }
  }
  return '\\';
}

/** The heredoc terminators an instruction opens (`RUN <<EOF`, `COPY <<-"A" <<B /dst`), in order. */
function heredocWords(instruction: string): Array<{ word: string; stripTabs: boolean }> {
  if (!/^(RUN|COPY|ADD)\s/i.test(instruction)) return [];
  return [...instruction.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)].map((match) => ({
    word: match[3] as string,
    stripTabs: match[1] === '-',
  }));
}
