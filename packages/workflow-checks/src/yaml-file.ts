import { readFileSync } from 'node:fs';
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import type { Finding } from './finding.js';

/** A parsed YAML file that can say on which line any of its nodes starts. */
export class YamlFile {
  readonly document: Document.Parsed;
  private readonly lineCounter = new LineCounter();

  constructor(
    /** Path relative to the checked root, with forward slashes. */
    readonly path: string,
    readonly text: string,
  ) {
    this.document = parseDocument(text, { lineCounter: this.lineCounter, prettyErrors: false });
  }

  static read(path: string, absolutePath: string): YamlFile {
    return new YamlFile(path, readFileSync(absolutePath, 'utf8'));
  }

  get contents(): unknown {
    return this.document.contents;
  }

  lineAt(offset: number): number {
    return this.lineCounter.linePos(offset).line;
  }

  lineOf(node: unknown): number {
    return isNode(node) && node.range ? this.lineAt(node.range[0]) : 1;
  }

  /** What follows a node on its own line: where a `# v4.2.2` pin comment sits. */
  restOfLine(node: unknown): string {
    if (!isNode(node) || !node.range) return '';
    const end = this.text.indexOf('\n', node.range[1]);
    return this.text.slice(node.range[1], end === -1 ? undefined : end);
  }

  finding(node: unknown, rule: string, message: string): Finding {
    return { file: this.path, line: this.lineOf(node), rule, message };
  }

  /** YAML errors as findings: a file that does not parse is checked by nothing else, so it must not pass. */
  parseFindings(): Finding[] {
    return this.document.errors.map((error) => ({
      file: this.path,
      line: this.lineAt(error.pos[0]),
      rule: 'yaml',
      message: error.message.split('\n')[0] ?? error.code,
    }));
  }
}
