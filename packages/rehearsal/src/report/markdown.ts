// A step's job summary as HTML. The summaries are GitHub-flavoured Markdown written by the actions;
// GitHub shows them with their HTML sanitised, and the report must not do less: raw HTML is shown as
// text, except <details>/<summary>, which the summaries use to fold long tables. Fenced mermaid
// blocks become <pre class="mermaid"> for the page's mermaid script to draw.
import { Marked, type Tokens } from 'marked';
import { escapeHtml, escapeHtmlKeepingEntities } from './escape-html.js';

/** The only tags let through, in the only forms let through (no other attribute). */
const ALLOWED_TAGS = new Map([
  ['<details>', '<details>'],
  ['<details open>', '<details open>'],
  ['</details>', '</details>'],
  ['<summary>', '<summary>'],
  ['</summary>', '</summary>'],
]);

/** A comment, or anything that looks like a details/summary tag (allowed or not, decided after). */
const COMMENT_OR_FOLD_TAG = /<!--[\s\S]*?(?:-->|$)|<\/?(?:details|summary)\b[^<>]*>/gi;

/** Schemes a link may keep: anything else (javascript:, data:, vbscript:) is shown as its text. */
const SAFE_LINK = /^(?:https?:|mailto:|#|\/|\.|[^:]*$)/i;

function rawHtmlAsText(html: string): string {
  let out = '';
  let last = 0;
  for (const match of html.matchAll(COMMENT_OR_FOLD_TAG)) {
    out += escapeHtmlKeepingEntities(html.slice(last, match.index));
    last = match.index + match[0].length;
    // Comments are invisible on GitHub (the actions use them as markers); they stay invisible here.
    if (match[0].startsWith('<!--')) continue;
    const canonical = ALLOWED_TAGS.get(match[0].toLowerCase().replace(/\s+/g, ' ').replace(/ ?>$/, '>'));
    out += canonical ?? escapeHtml(match[0]);
  }
  return out + escapeHtmlKeepingEntities(html.slice(last));
}

/**
 * Closes what a summary left open and drops closing tags it never opened, so one summary's stray
 * <details> cannot swallow the rest of the page. Only the tags rawHtmlAsText emitted look like
 * this in marked's output (everything else it writes escapes `<`).
 */
function balanceFolds(html: string): string {
  const open: string[] = [];
  const balanced = html.replace(/<(\/?)(details|summary)( open)?>/g, (tag, closing: string, name: string) => {
    if (!closing) {
      open.push(name);
      return tag;
    }
    const at = open.lastIndexOf(name);
    if (at < 0) return '';
    return open
      .splice(at)
      .reverse()
      .map((inner) => `</${inner}>`)
      .join('');
  });
  return (
    balanced +
    open
      .reverse()
      .map((name) => `</${name}>`)
      .join('')
  );
}

const markdown = new Marked({ gfm: true, async: false });
markdown.use({
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag) {
      return rawHtmlAsText(text);
    },
    code({ text, lang }: Tokens.Code) {
      if ((lang ?? '').trim().split(/\s+/)[0]?.toLowerCase() !== 'mermaid') return false;
      return `<pre class="mermaid">${escapeHtml(text)}</pre>\n`;
    },
    link({ href, tokens }: Tokens.Link) {
      if (SAFE_LINK.test(href.trim())) return false;
      return this.parser.parseInline(tokens);
    },
    // The report works offline: an image is shown only from the run's own directory, anything
    // else as a link to it (or its alt text when the address is not one a link may have).
    image({ href, text, title }: Tokens.Image) {
      const address = href.trim();
      if (!/^[a-z][\w+.-]*:|^\/\//i.test(address)) return false;
      if (!/^https?:/i.test(address)) return escapeHtml(text);
      const titled = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(address)}"${titled}>${escapeHtml(text || address)}</a>`;
    },
  },
});

/** The summary's Markdown as HTML that is safe to put in the page. */
export function renderSummaryMarkdown(summary: string): string {
  return balanceFolds(markdown.parse(summary, { async: false }));
}
