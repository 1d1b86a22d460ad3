// Writes a rehearsal's report into its run directory: index.html, the mermaid script it loads (a
// copy, so the page needs no network), and the data behind the page as JSON for anyone who wants
// more than the page shows.
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { RehearsalReport } from './report-data.js';
import { reportHtml } from './report-html.js';

/** mermaid's browser bundle, from wherever npm installed the package. */
function mermaidBundle(): string {
  return createRequire(import.meta.url).resolve('mermaid/dist/mermaid.min.js');
}

/** A JSON array one element a line: readable, diffable, and still small for thousands of calls. */
function jsonLines(items: readonly unknown[]): string {
  return items.length === 0 ? '[]\n' : `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]\n`;
}

export async function writeReport(dir: string, report: RehearsalReport): Promise<{ indexHtml: string }> {
  const assets = path.join(dir, 'assets');
  await mkdir(assets, { recursive: true });
  await copyFile(mermaidBundle(), path.join(assets, 'mermaid.min.js'));
  await writeFile(path.join(dir, 'calls.json'), jsonLines(report.calls));
  await writeFile(
    path.join(dir, 'timeline.json'),
    `${JSON.stringify({ series: report.series, markers: report.markers }, null, 2)}\n`,
  );
  const indexHtml = path.resolve(dir, 'index.html');
  await writeFile(indexHtml, reportHtml(report));
  return { indexHtml };
}
