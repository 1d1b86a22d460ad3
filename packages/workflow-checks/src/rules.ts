import type { Rule } from './rule.js';
import { artipacked } from './rules/artipacked.js';
import { dangerousTriggers } from './rules/dangerous-triggers.js';
import { deployCancelInProgress } from './rules/deploy-cancel-in-progress.js';
import { permissions } from './rules/permissions.js';
import { reusableInputs } from './rules/reusable-inputs.js';
import { secretsInherit } from './rules/secrets-inherit.js';
import { templateInjection } from './rules/template-injection.js';
import { unpinnedUses } from './rules/unpinned-uses.js';

export const RULES: readonly Rule[] = [
  reusableInputs,
  templateInjection,
  unpinnedUses,
  permissions,
  secretsInherit,
  dangerousTriggers,
  deployCancelInProgress,
  artipacked,
];
