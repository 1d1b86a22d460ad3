import { formatDuration } from '@ecs-ship/shared/duration';
import {
  details,
  escapeText,
  heading,
  inlineCode,
  paragraph,
  table,
  type SummaryBlock,
} from '@ecs-ship/shared/summary';
import { excerpt } from './evaluate.js';
import type { JsonReport } from './report.js';

export interface SummaryData {
  report: JsonReport;
  lastBodies: Record<string, string>;
  deadlineMs: number;
}

/** The job summary, from the (already redacted) report. */
export function buildSummary({ report, lastBodies, deadlineMs }: SummaryData): SummaryBlock[] {
  const total = report.checks.length;
  const title = report.passed
    ? `Smoke test: ✅ ${total} of ${total} checks passed`
    : `Smoke test: ❌ ${report.failedCount} of ${total} checks failed`;
  const blocks: SummaryBlock[] = [
    heading(title),
    paragraph(
      `Finished in ${formatDuration(report.durationMs)} (deadline ${formatDuration(deadlineMs)}), started ${report.startedAt}.`,
    ),
    table(
      ['Check', 'Result', 'Attempts', 'Last status', 'Latency', 'Request'],
      report.checks.map((check) => [
        check.name,
        check.passed ? '✅ passed' : '❌ failed',
        String(check.attempts),
        check.last?.status !== undefined ? String(check.last.status) : (check.last?.error ?? '—'),
        check.last ? `${check.last.latencyMs} ms` : '—',
        inlineCode(`${check.method} ${check.url}${check.last?.finalUrl ? ` → ${check.last.finalUrl}` : ''}`),
      ]),
      ['left', 'left', 'right', 'left', 'right', 'left'],
    ),
  ];
  for (const check of report.checks.filter((entry) => !entry.passed)) {
    const rows = (check.last?.mismatches ?? []).map((m) => [
      m.what,
      escapeText(m.expected),
      escapeText(m.actual),
    ]);
    const body = lastBodies[check.name];
    blocks.push(
      details(
        `❌ ${escapeText(check.name)}: what was expected and what came back`,
        [
          table(
            ['What', 'Expected', 'Got'],
            rows.length > 0 ? rows : [['attempt', 'a response', 'no attempt was made']],
          ),
          ...(body ? [paragraph(`Last body: ${inlineCode(excerpt(body, 500))}`)] : []),
        ],
        true,
      ),
    );
  }
  return blocks;
}
