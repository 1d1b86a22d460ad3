/** One broken rule at one place, printed as `file:line: rule: message` (the form editors and CI annotate). */
export interface Finding {
  /** Path relative to the checked root, with forward slashes. */
  file: string;
  line: number;
  rule: string;
  message: string;
}

export function formatFinding(finding: Finding): string {
  return `${finding.file}:${finding.line}: ${finding.rule}: ${finding.message}`;
}

export function compareFindings(a: Finding, b: Finding): number {
  return (
    a.file.localeCompare(b.file) ||
    a.line - b.line ||
    a.rule.localeCompare(b.rule) ||
    a.message.localeCompare(b.message)
  );
}
