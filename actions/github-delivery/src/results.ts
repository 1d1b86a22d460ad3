import { ConfigurationError } from '@ecs-ship/shared/errors';
import { escapeCell, escapeText } from '@ecs-ship/shared/summary';
import {
  expectList,
  expectObject,
  fieldError,
  optionalString,
  rejectUnknownKeys,
} from '@ecs-ship/shared/structure';

export const RESULT_STATUSES = ['pass', 'fail', 'skip', 'warn'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

/** One line of a pull request's validation: a check and how it went. */
export interface CheckResult {
  check: string;
  status: ResultStatus;
  summary: string;
  url?: string;
}

export const STATUS_EMOJI: Record<ResultStatus, string> = {
  pass: '✅',
  fail: '❌',
  skip: '⏭️',
  warn: '⚠️',
};

/** The results file: a JSON list of {check, status, summary, url?}, each field checked. */
export function parseResults(text: string, where: string): CheckResult[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigurationError(
      `${where} is not valid JSON (${error instanceof Error ? error.message : String(error)}).`,
    );
  }
  return expectList(parsed, where).map((item, index) => {
    const at = `${where} item ${index + 1}`;
    const object = expectObject(item, at);
    rejectUnknownKeys(object, ['check', 'status', 'summary', 'url'], at);
    const check = optionalString(object, 'check', at);
    if (check === undefined) throw fieldError(at, 'check', 'the name of the check', undefined);
    const status = object.status;
    if (typeof status !== 'string' || !(RESULT_STATUSES as readonly string[]).includes(status))
      throw fieldError(at, 'status', `one of ${RESULT_STATUSES.join(', ')}`, status);
    const summary = object.summary === '' ? '' : (optionalString(object, 'summary', at) ?? '');
    const url = optionalString(object, 'url', at);
    if (url !== undefined && !/^https?:\/\//i.test(url)) throw fieldError(at, 'url', 'an http(s) URL', url);
    return { check, status: status as ResultStatus, summary, ...(url !== undefined ? { url } : {}) };
  });
}

/** "❌ 1 of 4 checks failed, 1 warning" — the line a reviewer reads first. */
export function resultsHeadline(results: readonly CheckResult[]): string {
  const count = (status: ResultStatus) => results.filter((result) => result.status === status).length;
  const failed = count('fail');
  const warned = count('warn');
  const skipped = count('skip');
  const extras = [
    warned > 0 ? `${warned} warning${warned === 1 ? '' : 's'}` : '',
    skipped > 0 ? `${skipped} skipped` : '',
  ].filter((part) => part !== '');
  const tail = extras.length > 0 ? `, ${extras.join(', ')}` : '';
  if (results.length === 0) return 'ℹ️ No checks reported.';
  if (failed > 0)
    return `❌ ${failed} of ${results.length} check${results.length === 1 ? '' : 's'} failed${tail}`;
  return `${warned > 0 ? '⚠️' : '✅'} ${count('pass')} of ${results.length} check${results.length === 1 ? '' : 's'} passed${tail}`;
}

/**
 * The results as a Markdown table. Check names and summaries come from the pull request's own run
 * (untrusted in the relay): HTML is escaped and pipes cannot end a cell.
 */
export function renderResultsTable(results: readonly CheckResult[]): string {
  const cell = (text: string) => escapeCell(escapeText(text));
  const rows = results.map((result) => {
    const name = result.url
      ? `[${cell(result.check).replace(/[[\]]/g, '\\$&')}](${linkTarget(result.url)})`
      : cell(result.check);
    return `| ${STATUS_EMOJI[result.status]} | ${name} | ${cell(result.summary)} |`;
  });
  return ['| | Check | Summary |', '| :---: | --- | --- |', ...rows].join('\n');
}

/** A URL that cannot end the Markdown link or the table cell it sits in. */
function linkTarget(url: string): string {
  return url.replace(
    /[\s()<>|\\[\]]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}
