import { appendFile } from 'node:fs/promises';

/** A job summary as data. `renderSummary` turns it into GitHub-flavoured markdown. */
export type SummaryBlock =
  | { type: 'heading'; text: string; level?: 1 | 2 | 3 | 4 }
  | { type: 'paragraph'; text: string }
  | { type: 'table'; header: string[]; rows: string[][]; align?: Array<'left' | 'right' | 'center'> }
  | { type: 'details'; summary: string; blocks: SummaryBlock[]; open?: boolean }
  | { type: 'mermaid'; source: string }
  | { type: 'list'; items: string[]; ordered?: boolean }
  | { type: 'code'; text: string; language?: string };

export const heading = (text: string, level: 1 | 2 | 3 | 4 = 2): SummaryBlock => ({
  type: 'heading',
  text,
  level,
});
export const paragraph = (text: string): SummaryBlock => ({ type: 'paragraph', text });
export const table = (
  header: string[],
  rows: string[][],
  align?: Array<'left' | 'right' | 'center'>,
): SummaryBlock => ({
  type: 'table',
  header,
  rows,
  ...(align ? { align } : {}),
});
export const details = (summary: string, blocks: SummaryBlock[], open = false): SummaryBlock => ({
  type: 'details',
  summary,
  blocks,
  open,
});
export const mermaid = (source: string): SummaryBlock => ({ type: 'mermaid', source });
export const list = (items: string[], ordered = false): SummaryBlock => ({ type: 'list', items, ordered });
export const code = (text: string, language = ''): SummaryBlock => ({ type: 'code', text, language });

/** A table cell: pipes escaped, line breaks kept as <br>, nothing that could end the table. */
export function escapeCell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

/** Inline code that survives backticks in the value. */
export function inlineCode(text: string): string {
  const longest = Math.max(0, ...[...text.matchAll(/`+/g)].map((match) => match[0].length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** Text that must not be read as HTML or markdown (server responses, AWS reasons). */
export function escapeText(text: string): string {
  return text.replace(/[&<>]/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;' })[char] ?? char);
}

export function renderSummary(blocks: readonly SummaryBlock[]): string {
  return blocks.map(renderBlock).join('\n');
}

function renderBlock(block: SummaryBlock): string {
  switch (block.type) {
    case 'heading':
      return `${'#'.repeat(block.level ?? 2)} ${block.text}\n`;
    case 'paragraph':
      return `${block.text}\n`;
    case 'table': {
      const width = block.header.length;
      const rule = block.header.map((_, index) => {
        const align = block.align?.[index];
        return align === 'right' ? '---:' : align === 'center' ? ':---:' : '---';
      });
      const line = (cells: string[]): string =>
        `| ${Array.from({ length: width }, (_, index) => escapeCell(cells[index] ?? '')).join(' | ')} |`;
      return [line(block.header), `| ${rule.join(' | ')} |`, ...block.rows.map(line)].join('\n') + '\n';
    }
    case 'details':
      return `<details${block.open ? ' open' : ''}>\n<summary>${block.summary}</summary>\n\n${renderSummary(block.blocks)}\n</details>\n`;
    case 'mermaid':
      return `\`\`\`mermaid\n${block.source.trimEnd()}\n\`\`\`\n`;
    case 'list':
      return (
        block.items.map((item, index) => `${block.ordered ? `${index + 1}.` : '-'} ${item}`).join('\n') + '\n'
      );
    case 'code': {
      const fence = block.text.includes('```') ? '````' : '```';
      return `${fence}${block.language ?? ''}\n${block.text.trimEnd()}\n${fence}\n`;
    }
  }
}

/** Appends to the step's summary file; a no-op outside the runner. */
export async function writeSummaryFile(
  markdown: string,
  file = process.env.GITHUB_STEP_SUMMARY,
): Promise<boolean> {
  if (!file || markdown === '') return false;
  await appendFile(file, markdown.endsWith('\n') ? markdown : `${markdown}\n`, 'utf8');
  return true;
}
