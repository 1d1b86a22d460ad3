// `${{ }}` in `run:` is pasted into the script before the shell starts, so a value containing `"; curl … | sh`
// becomes code. Only values that cannot hold shell syntax may be pasted; everything else goes through `env:`
// (`env: { TITLE: '${{ github.event.issue.title }}' }`, then `"$TITLE"`), which the shell reads as data.
//
// Decision: `secrets.*` (and `github.token`) are flagged too. A secret is not attacker-controlled, but pasted
// into the script it lands in the script file on the runner's disk, and a quote or `$` in it breaks the
// command; through `env:` it stays out of the script and is still masked in the log.
import type { Finding } from '../finding.js';
import { contextReferences, expressionsIn, matchesContext } from '../expressions.js';
import type { Rule } from '../rule.js';
import { declaredParameters, stepsOf, trigger, type CheckedFile } from '../workflow.js';
import type { YamlFile } from '../yaml-file.js';
import { field, text, value } from '../yaml-node.js';
import { parseUses, remoteName } from '../uses.js';
import { isScalar, type Node } from 'yaml';

const name = 'template-injection';

/** Values GitHub or the runner sets in a fixed form (ids, SHAs, numbers, runner paths). */
export const SAFE_CONTEXTS = [
  'github.sha',
  'github.workflow_sha',
  'github.run_id',
  'github.run_number',
  'github.run_attempt',
  'github.repository',
  'github.repository_id',
  'github.repository_owner',
  'github.repository_owner_id',
  'github.server_url',
  'github.api_url',
  'github.workspace',
  'github.action_path',
  'github.event_name',
  'github.job',
  'github.event.number',
  'github.event.pull_request.number',
  'runner.*',
  'strategy.*',
  'job.status',
  'steps.*.outcome',
  'steps.*.conclusion',
  'needs.*.result',
];

export const templateInjection: Rule = {
  name,
  check(file) {
    const typedInputs = booleanAndNumberInputs(file);
    const findings: Finding[] = [];
    for (const step of stepsOf(file)) {
      const run = field(step.node, 'run');
      if (run) findings.push(...checkScript(file.yaml, run.value, 'run:', '"$NAME"', typedInputs));
      // actions/github-script evaluates `script:` as JavaScript: the same paste, another language.
      const uses = text(value(step.node, 'uses'));
      if (uses !== undefined && remoteName(parseUses(uses)) === 'actions/github-script') {
        const script = field(value(step.node, 'with'), 'script');
        if (script)
          findings.push(
            ...checkScript(
              file.yaml,
              script.value,
              'actions/github-script script:',
              'process.env.NAME',
              typedInputs,
            ),
          );
      }
    }
    return findings;
  },
};

function checkScript(
  file: YamlFile,
  node: Node | null,
  where: string,
  read: string,
  typedInputs: Set<string>,
): Finding[] {
  const script = text(node);
  if (script === undefined) return [];
  const expressions = expressionsIn(script);
  const lines = expressionLines(file, node, expressions.length);
  const findings: Finding[] = [];
  expressions.forEach((expression, index) => {
    const unsafe = contextReferences(expression.body).filter(
      (reference) =>
        !typedInputs.has(reference.toLowerCase()) &&
        !SAFE_CONTEXTS.some((pattern) => matchesContext(reference, pattern)),
    );
    if (unsafe.length === 0) return;
    findings.push({
      file: file.path,
      line: lines[index] ?? file.lineOf(node),
      rule: name,
      message:
        `\${{ ${expression.body} }} in ${where} pastes ${unique(unsafe).join(', ')} into the script; ` +
        `pass it through env: and read ${read} instead`,
    });
  });
  return findings;
}

/**
 * The line of each `${{` as written in the file. The parsed value has lost its position (a block scalar is
 * re-indented, a quoted one unescaped), so the raw source is searched; when the counts differ (an escaped
 * `$`), every finding falls back to the line where the value starts.
 */
function expressionLines(file: YamlFile, node: Node | null, count: number): number[] {
  if (!isScalar(node) || !node.range) return [];
  const [start, end] = node.range;
  const lines: number[] = [];
  for (
    let at = file.text.indexOf('${{', start);
    at !== -1 && at < end;
    at = file.text.indexOf('${{', at + 3)
  ) {
    lines.push(file.lineAt(at));
  }
  return lines.length === count ? lines : [];
}

/**
 * `inputs.NAME` of a workflow whose every declaration of NAME is `type: boolean` or `type: number`: GitHub
 * refuses any other value, so it cannot carry shell syntax. Action inputs have no types and stay unsafe.
 */
function booleanAndNumberInputs(file: CheckedFile): Set<string> {
  const safe = new Set<string>();
  if (file.kind !== 'workflow') return safe;
  const declarations = ['workflow_call', 'workflow_dispatch'].flatMap((event) =>
    declaredParameters(value(trigger(file.yaml, event)?.settings, 'inputs'), false),
  );
  const unsafe = new Set<string>();
  for (const input of declarations) {
    const key = `inputs.${input.name.toLowerCase()}`;
    if (input.type === 'boolean' || input.type === 'number') safe.add(key);
    else unsafe.add(key);
  }
  for (const key of unsafe) safe.delete(key);
  return safe;
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
