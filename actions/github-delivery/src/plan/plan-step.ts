import { readFileSync } from 'node:fs';
import path from 'node:path';
import { heading, inlineCode, paragraph, table, type SummaryBlock } from '@ecs-ship/shared/summary';
import { parse } from 'yaml';
import { expandFilePattern } from '../file-glob.js';
import type { PlanInputs, RevertPlanInputs } from '../inputs.js';
import { planDelivery, type DeliveryPlan } from './delivery-plan.js';
import { planPromotion, type PromotionPlan } from './environments-config.js';
import { parseRecord, planRevert, type RevertEntry } from './revert-plan.js';

export interface StepResult {
  outputs: Record<string, string>;
  summary: SummaryBlock[];
}

const dash = '—';

/** The plan modes: validate everything a deploy or a promotion will need, before anything changes. */
export function runPlan(inputs: PlanInputs): StepResult {
  if (inputs.kind === 'deploy') {
    const plan = planDelivery(inputs);
    return { outputs: deployOutputs(plan), summary: deploySummary(plan) };
  }
  if (inputs.environment !== undefined) {
    const plan = planPromotion(inputs.configText, inputs.configPath, inputs.environment, inputs.source);
    return { outputs: promotionOutputs(plan), summary: promotionSummary(plan) };
  }
  // No environment: pull-request validation of the whole file, every environment as promote plans it.
  const names = environmentNames(inputs.configText, inputs.configPath);
  const plans = names.map((name) =>
    planPromotion(inputs.configText, inputs.configPath, name, '', { validateOnly: true }),
  );
  return {
    outputs: { environments: names.join(',') },
    summary: [
      heading(`Environments file: ✅ ${names.length} environment(s) valid`),
      table(
        ['Environment', 'Cluster', 'Services (in order)', 'Images from', 'Approvals'],
        plans.map((plan) => [
          plan.environment,
          plan.cluster,
          (JSON.parse(plan.services) as Array<{ service: string; strategy?: string }>)
            .map((entry) => `${entry.service} (${entry.strategy ?? 'rolling'})`)
            .join(', '),
          plan.source.kind === 'environment' ? plan.source.imagesFrom : 'given digests',
          plan.approvals.join(' → ') || dash,
        ]),
      ),
    ],
  };
}

export function runRevertPlan(inputs: RevertPlanInputs): StepResult {
  const files = [
    ...new Set(inputs.recordFiles.flatMap((pattern) => expandFilePattern(pattern, inputs.workspace))),
  ].sort();
  const records = files.map((file) =>
    parseRecord(readFileSync(file, 'utf8'), path.relative(inputs.workspace, file) || file),
  );
  const entries = planRevert(records);
  return {
    outputs: {
      services: JSON.stringify(entries),
      'service-names': entries.map((entry) => entry.service).join(','),
    },
    summary: revertSummary(entries, records.length),
  };
}

function deployOutputs(plan: DeliveryPlan): Record<string, string> {
  return {
    services: JSON.stringify(plan.services),
    tasks: JSON.stringify(plan.tasks),
    'service-names': plan.services.map((entry) => entry.service).join(','),
  };
}

function promotionOutputs(plan: PromotionPlan): Record<string, string> {
  return {
    cluster: plan.cluster,
    region: plan.region,
    'role-to-assume': plan.roleToAssume,
    'role-duration-seconds': String(plan.roleDurationSeconds),
    'environment-url': plan.environmentUrl,
    'production-environment': String(plan.production),
    services: plan.services,
    tasks: plan.tasks,
    'source-environment': plan.source.kind === 'environment' ? plan.source.environment : '',
    'source-images': plan.source.kind === 'images' ? plan.source.images : '',
    'images-from': plan.source.kind === 'environment' ? plan.source.imagesFrom : '',
    'images-from-role': plan.source.kind === 'environment' ? plan.source.imagesFromRole : '',
    'images-from-names': plan.source.kind === 'environment' ? plan.source.imageNames : '',
    'approval-1': plan.approvals[0] ?? '',
    'approval-2': plan.approvals[1] ?? '',
    'approval-environments': plan.approvals.join(', '),
    'required-approvals': String(plan.requiredApprovals),
  };
}

function deploySummary(plan: DeliveryPlan): SummaryBlock[] {
  return [
    heading(`Deploy plan: ${plan.services.length} service(s), ${plan.tasks.length} task(s)`),
    ...(plan.tasks.length > 0
      ? [
          table(
            ['#', 'Task', 'Revision of', 'Command'],
            plan.tasks.map((t) => [
              t.order,
              t.name,
              t.service || t['task-definition-arn'],
              t.command || dash,
            ]),
          ),
        ]
      : []),
    table(
      ['#', 'Service', 'Strategy', 'Judged by', 'Images'],
      plan.services.map((entry) => [
        entry.order,
        entry.service,
        entry.strategy,
        [
          entry.gate === 'true' ? 'canary-gate' : '',
          entry['test-url'] ? 'test-listener smoke test' : '',
          entry.alarms ? `alarms ${entry.alarms}` : '',
        ]
          .filter(Boolean)
          .join(', ') || dash,
        entry.images
          .split('\n')
          .map((line) => inlineCode(line))
          .join('<br>'),
      ]),
    ),
  ];
}

function promotionSummary(plan: PromotionPlan): SummaryBlock[] {
  return [
    heading(`Promotion plan: ${plan.environment}`),
    table(
      ['Target', 'Cluster', 'Images from', 'Approvals'],
      [
        [
          plan.environment,
          plan.cluster,
          plan.source.kind === 'environment'
            ? `what ECS runs in ${plan.source.environment} (${inlineCode(plan.source.imagesFrom)})`
            : 'the digests given',
          plan.approvals.length > 0
            ? `${plan.approvals.join(' → ')} (${plan.requiredApprovals} different people)`
            : dash,
        ],
      ],
    ),
  ];
}

function revertSummary(entries: RevertEntry[], recordCount: number): SummaryBlock[] {
  if (entries.length === 0) {
    return [
      heading('Revert plan: nothing to return'),
      paragraph(`${recordCount} record(s); no service was left on the new revision.`),
    ];
  }
  return [
    heading(`Revert plan: ${entries.length} service(s) go back, last deployed first`),
    table(
      ['Service', 'From', 'Back to'],
      entries.map((entry) => [
        entry.service,
        inlineCode(entry['task-definition-arn']),
        inlineCode(entry['previous-task-definition-arn']),
      ]),
    ),
  ];
}

function environmentNames(configText: string, configPath: string): string[] {
  const document = parse(configText) as { environments?: Record<string, unknown> } | null;
  const names = Object.keys(document?.environments ?? {});
  if (names.length === 0) {
    // planPromotion gives the precise error for a file without environments.
    planPromotion(configText, configPath, '', '');
  }
  return names;
}
