// Everything in the report comes from a run (names, revisions, summaries, error messages), so every
// value is escaped before it lands in index.html, in text and in attributes alike.

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char] ?? char);
}

/**
 * As escapeHtml, but an entity already written (`&lt;`, `&#39;`) is left as it is: the actions'
 * summaries escape their own text (shared/summary's escapeText), and escaping it again would show
 * `&lt;` on the page instead of `<`.
 */
export function escapeHtmlKeepingEntities(text: string): string {
  return text.replace(/&(?!#\d+;|#x[\da-f]+;|[a-z][\da-z]*;)|[<>"']/gi, (char) => ENTITIES[char] ?? char);
}
