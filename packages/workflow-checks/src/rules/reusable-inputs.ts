// GitHub rejects an undeclared or missing input of a reusable workflow only when the caller runs, and an
// action silently ignores one: both must fail here, before a renamed input reaches a deploy.
import type { Node } from 'yaml';
import type { Finding } from '../finding.js';
import type { Repository } from '../repository.js';
import type { Rule } from '../rule.js';
import { declaredParameters, jobsOf, stepsOf, trigger, type DeclaredParameter } from '../workflow.js';
import type { YamlFile } from '../yaml-file.js';
import { entries, field, isExpression, text, value } from '../yaml-node.js';

const name = 'reusable-inputs';

export const reusableInputs: Rule = {
  name,
  check(file, repository) {
    const findings: Finding[] = [];
    if (file.kind === 'workflow') {
      for (const job of jobsOf(file.yaml)) {
        const uses = field(job.node, 'uses');
        if (uses) findings.push(...checkWorkflowCall(file.yaml, job.node, uses.value, repository));
      }
    }
    for (const step of stepsOf(file)) {
      const uses = field(step.node, 'uses');
      if (uses) findings.push(...checkActionCall(file.yaml, step.node, uses.value, repository));
    }
    return findings;
  },
};

function checkWorkflowCall(file: YamlFile, job: Node | null, usesNode: Node | null, repository: Repository) {
  const uses = text(usesNode) ?? '';
  const target = repository.target(uses);
  if (target?.kind !== 'workflow') return [];
  if (!target.file) return [file.finding(usesNode, name, `${uses} does not exist`)];
  const call = trigger(target.file, 'workflow_call');
  if (!call) {
    return [file.finding(usesNode, name, `${uses} is not a reusable workflow (no on.workflow_call)`)];
  }
  const findings = compare(
    file,
    usesNode,
    uses,
    'input',
    value(job, 'with'),
    declaredParameters(value(call.settings, 'inputs'), false),
  );
  const secrets = value(job, 'secrets');
  // `secrets: inherit` passes everything (its own rule flags it); there is nothing to match.
  if (text(secrets) !== 'inherit') {
    findings.push(
      ...compare(
        file,
        usesNode,
        uses,
        'secret',
        secrets,
        declaredParameters(value(call.settings, 'secrets'), false),
      ),
    );
  }
  return findings;
}

function checkActionCall(file: YamlFile, step: Node, usesNode: Node | null, repository: Repository) {
  const uses = text(usesNode) ?? '';
  const target = repository.target(uses);
  if (target?.kind !== 'action') return [];
  if (!target.file) return [file.finding(usesNode, name, `${uses} has no action.yml`)];
  return compare(
    file,
    usesNode,
    uses,
    'input',
    value(step, 'with'),
    declaredParameters(value(target.file.contents, 'inputs'), true),
  );
}

function compare(
  file: YamlFile,
  usesNode: Node | null,
  uses: string,
  kind: 'input' | 'secret',
  given: Node | null | undefined,
  declared: DeclaredParameter[],
): Finding[] {
  const findings: Finding[] = [];
  // Input and secret names are case-insensitive on GitHub.
  const byName = new Map(declared.map((parameter) => [parameter.name.toLowerCase(), parameter]));
  const givenNames = new Set<string>();
  for (const entry of entries(given)) {
    givenNames.add(entry.key.toLowerCase());
    const parameter = byName.get(entry.key.toLowerCase());
    if (!parameter) {
      const known = declared.map((candidate) => candidate.name).join(', ') || 'none';
      findings.push(
        file.finding(
          entry.keyNode,
          name,
          `${kind} "${entry.key}" is not declared by ${uses} (declared: ${known})`,
        ),
      );
      continue;
    }
    const mismatch = typeMismatch(parameter, entry.value);
    if (mismatch) {
      findings.push(
        file.finding(entry.value ?? entry.keyNode, name, `${kind} "${entry.key}" of ${uses} ${mismatch}`),
      );
    }
  }
  for (const parameter of declared) {
    if (parameter.required && !givenNames.has(parameter.name.toLowerCase())) {
      // A reusable workflow's required input must be given even with a default, which then never applies.
      const note = parameter.hasDefault ? ' (required: true, so its default is never used)' : '';
      findings.push(
        file.finding(usesNode, name, `required ${kind} "${parameter.name}" of ${uses} is not given${note}`),
      );
    }
  }
  return findings;
}

/** A literal the declared type cannot hold (expressions are typed only when the run starts). */
function typeMismatch(parameter: DeclaredParameter, given: Node | null): string | undefined {
  const literal = text(given);
  if (literal === undefined || isExpression(literal)) return undefined;
  if (parameter.type === 'boolean' && literal !== 'true' && literal !== 'false') {
    return `is a boolean; got ${JSON.stringify(literal)}`;
  }
  if (parameter.type === 'number' && (literal.trim() === '' || !Number.isFinite(Number(literal)))) {
    return `is a number; got ${JSON.stringify(literal)}`;
  }
  return undefined;
}
