// Deterministic stand-in for a binding-affinity model: the same SMILES always ranks the same
// targets with the same scores, so tests and canary comparisons can assert exact answers.
import { createHash } from 'node:crypto';

export const TARGETS = Object.freeze([
  'EGFR',
  'ERBB2',
  'BRAF',
  'KRAS',
  'ALK',
  'ABL1',
  'JAK2',
  'BTK',
  'CDK4',
  'CDK6',
  'PIK3CA',
  'MTOR',
  'MAPK1',
  'MAP2K1',
  'PARP1',
  'HDAC1',
  'BRD4',
  'ESR1',
  'AR',
  'PGR',
  'NR3C1',
  'PTGS1',
  'PTGS2',
  'ACHE',
  'BCHE',
  'DRD2',
  'HTR2A',
  'ADRB2',
  'OPRM1',
  'CNR1',
  'GABRA1',
  'SCN5A',
  'KCNH2',
  'CACNA1C',
  'HMGCR',
  'DPP4',
  'PPARG',
  'INSR',
  'GLP1R',
  'ACE',
  'REN',
  'THRB',
  'VDR',
  'TOP2A',
  'TUBB',
  'HSP90AA1',
  'PDGFRA',
  'KIT',
  'FLT3',
  'MET',
]);

export const MAX_TOP_K = TARGETS.length;
export const DEFAULT_TOP_K = 5;
export const MAX_SMILES_LENGTH = 2000;

// Characters that occur in SMILES strings (atoms, bonds, branches, rings, charges, stereo).
const SMILES_PATTERN = /^[A-Za-z0-9@+\-[\]()=#$%\\/.:*]+$/;

/**
 * Validates a /rank request body. Returns { smiles, topK } or { error } with a message for the
 * client.
 */
export function parseRankRequest(body) {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { error: 'body must be a JSON object' };
  }
  const { smiles, top_k: topK = DEFAULT_TOP_K } = body;
  if (typeof smiles !== 'string' || smiles.length === 0) {
    return { error: 'smiles must be a non-empty string' };
  }
  if (smiles.length > MAX_SMILES_LENGTH) {
    return { error: `smiles must be at most ${MAX_SMILES_LENGTH} characters` };
  }
  if (!SMILES_PATTERN.test(smiles)) {
    return { error: 'smiles contains characters that are not valid in SMILES' };
  }
  if (!Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K) {
    return { error: `top_k must be an integer from 1 to ${MAX_TOP_K}` };
  }
  return { smiles, topK };
}

/** The top_k targets for a molecule, best first, with scores in [0, 1) rounded to 4 places. */
export function rank(smiles, topK) {
  return TARGETS.map((target) => ({ target, score: score(smiles, target) }))
    .sort((a, b) => b.score - a.score || a.target.localeCompare(b.target))
    .slice(0, topK);
}

function score(smiles, target) {
  const digest = createHash('sha256').update(`${smiles}\u0000${target}`).digest();
  return Math.round((digest.readUInt32BE(0) / 2 ** 32) * 10_000) / 10_000;
}
