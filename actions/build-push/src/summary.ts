import { formatDuration } from '@ecs-ship/shared/duration';
import { heading, inlineCode, list, paragraph, table, type SummaryBlock } from '@ecs-ship/shared/summary';
import type { BuilderInfo } from './builder.js';
import type { BuildPushInputs } from './inputs.js';
import type { VariantResult } from './publish.js';
import type { VariantPlan } from './variant-plan.js';

export interface SummaryFacts {
  plans: VariantPlan[];
  results: VariantResult[];
  inputs: Pick<BuildPushInputs, 'push'>;
  sha: string;
  builder?: BuilderInfo;
  registry?: string;
  repository?: string;
}

/** Per variant: built or skipped and why, digest, size, time, cache; then what changed since the base. */
export function buildSummary(facts: SummaryFacts): SummaryBlock[] {
  const { plans, results } = facts;
  const built = results.filter((result) => result.built).length;
  const skipped = results.length - built;
  const where =
    facts.registry && facts.repository ? ` to ${inlineCode(`${facts.registry}/${facts.repository}`)}` : '';
  const blocks: SummaryBlock[] = [
    heading(
      `Build and push: ${built} built, ${skipped} skipped${results.length < plans.length ? `, ${plans.length - results.length} not reached` : ''}`,
    ),
    paragraph(
      `Commit ${inlineCode(facts.sha.slice(0, 12))}${where}${facts.inputs.push ? '' : ' (push is false: nothing was written)'}.${
        facts.builder ? ` Builder: ${facts.builder.description}.` : ''
      }`,
    ),
  ];
  if (results.length > 0) {
    blocks.push(
      table(
        ['Variant', 'Result', 'Why', 'Digest', 'Size', 'Time', 'Cache'],
        results.map((result) => [
          result.name,
          result.built ? 'built' : 'skipped',
          result.reason,
          result.digest ? inlineCode(result.digest.slice(0, 19)) : '—',
          result.sizeBytes !== undefined ? formatBytes(result.sizeBytes) : '—',
          formatDuration(result.durationMs),
          result.steps !== undefined ? `${result.cachedSteps ?? 0} of ${result.steps} steps cached` : '—',
        ]),
      ),
    );
  }
  const changes = plans.map((plan) => {
    const { changed } = plan;
    if (changed.note) return `${plan.variant.name}: ${changed.note}`;
    if (!changed.base) return `${plan.variant.name}: no base to compare with`;
    return changed.files.length === 0
      ? `${plan.variant.name}: nothing in ${plan.variant.paths.join(', ')} changed since ${inlineCode(changed.base.slice(0, 12))}`
      : `${plan.variant.name}: ${changed.files.length} file(s) changed since ${inlineCode(changed.base.slice(0, 12))}: ${changed.files
          .slice(0, 5)
          .map(inlineCode)
          .join(', ')}${changed.files.length > 5 ? ` and ${changed.files.length - 5} more` : ''}`;
  });
  blocks.push(
    heading('Changed since the base', 3),
    paragraph(
      'For reading only: whether a variant is built is decided by its content key (the git tree of its paths, the Dockerfile, target, build args and platforms), not by this diff.',
    ),
    list(changes),
  );
  const tags = results.map((result) => `${result.name}: ${result.tags.map(inlineCode).join(', ')}`);
  if (tags.length > 0) blocks.push(heading('Tags', 3), list(tags));
  return blocks;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
