import type { Phase } from '../__tests__/__fixtures__/lifecycle.js';
import { revisions } from '../__tests__/__fixtures__/lifecycle.js';

const s = 1000;
const IN_PROGRESS = 'IN_PROGRESS' as const;

/** A 30-minute canary (5 %, 20 min canary bake, 6 min final bake), in DescribeServiceDeployments shapes. */
export const CANARY_30_MIN: { phases: Phase[]; completesAtMs: number; inputs: Record<string, string> } = {
  inputs: { strategy: 'canary', 'canary-percent': '5', 'canary-bake-minutes': '20', 'bake-minutes': '6' },
  completesAtMs: 1800 * s,
  phases: [
    { atMs: 0, deployment: { status: 'PENDING' } },
    { atMs: 5 * s, deployment: { status: IN_PROGRESS, lifecycleStage: 'PRE_SCALE_UP' } },
    {
      atMs: 15 * s,
      deployment: {
        lifecycleStage: 'SCALE_UP',
        ...revisions({ running: 0, pending: 2, production: 0 }, { running: 2, production: 100 }),
      },
    },
    {
      atMs: 60 * s,
      deployment: revisions({ running: 1, pending: 1, production: 0 }, { running: 2, production: 100 }),
    },
    {
      atMs: 100 * s,
      deployment: {
        lifecycleStage: 'POST_SCALE_UP',
        ...revisions({ running: 2, production: 0 }, { running: 2, production: 100 }),
      },
    },
    {
      atMs: 110 * s,
      deployment: {
        lifecycleStage: 'TEST_TRAFFIC_SHIFT',
        ...revisions({ running: 2, production: 0, test: 100 }, { running: 2, production: 100 }),
      },
    },
    { atMs: 120 * s, deployment: { lifecycleStage: 'POST_TEST_TRAFFIC_SHIFT' } },
    {
      atMs: 130 * s,
      deployment: {
        lifecycleStage: 'PRODUCTION_TRAFFIC_SHIFT',
        ...revisions({ running: 2, production: 5, test: 100 }, { running: 2, production: 95 }),
      },
    },
    {
      atMs: 1330 * s,
      deployment: revisions({ running: 2, production: 100, test: 100 }, { running: 2, production: 0 }),
    },
    { atMs: 1340 * s, deployment: { lifecycleStage: 'POST_PRODUCTION_TRAFFIC_SHIFT' } },
    { atMs: 1345 * s, deployment: { lifecycleStage: 'BAKE_TIME' } },
    { atMs: 1705 * s, deployment: { lifecycleStage: 'CLEAN_UP' } },
    { atMs: 1750 * s, deployment: revisions({ running: 2, production: 100 }, { running: 0, production: 0 }) },
    { atMs: 1800 * s, deployment: { status: 'SUCCESSFUL', finishedAt: new Date(1800 * s) } },
  ],
};
