import { describe, expect, it } from '@jest/globals';
import { explainTally, initiatorsOf, tallyApprovals, type Review } from '../src/approvals.js';

const ENVIRONMENTS = ['prod-approval-1', 'prod-approval-2'];
const review = (login: string, environments: string[], state = 'approved', comment = ''): Review => ({
  login,
  environments,
  state,
  comment,
});

describe('tallyApprovals', () => {
  it.each<[string, Review[], string[], number, { ok: boolean; approvers: string[]; unapproved?: string[] }]>([
    [
      'two people, one per environment',
      [review('alice', ['prod-approval-1']), review('bob', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: true, approvers: ['alice', 'bob'] },
    ],
    [
      'one person for both',
      [review('alice', ['prod-approval-1']), review('alice', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: false, approvers: ['alice'] },
    ],
    [
      'one review of both environments at once',
      [review('alice', ENVIRONMENTS)],
      ['octocat'],
      2,
      { ok: false, approvers: ['alice'] },
    ],
    [
      'logins differing only in case are one person',
      [review('Alice', ['prod-approval-1']), review('alice', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: false, approvers: ['Alice'] },
    ],
    [
      'the initiator approving one',
      [review('octocat', ['prod-approval-1']), review('bob', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: false, approvers: ['bob'], unapproved: ['prod-approval-1'] },
    ],
    [
      'the initiator in other case',
      [review('OctoCat', ['prod-approval-1']), review('bob', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: false, approvers: ['bob'] },
    ],
    [
      'the re-runner approving one',
      [review('carol', ['prod-approval-1']), review('bob', ['prod-approval-2'])],
      ['octocat', 'carol'],
      2,
      { ok: false, approvers: ['bob'] },
    ],
    [
      'an approval of another environment',
      [review('alice', ['staging']), review('bob', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: false, approvers: ['bob'] },
    ],
    [
      'environment names in other case',
      [review('alice', ['PROD-APPROVAL-1']), review('bob', ['Prod-Approval-2'])],
      ['octocat'],
      2,
      { ok: true, approvers: ['alice', 'bob'] },
    ],
    [
      'pending reviews',
      [review('alice', ['prod-approval-1'], 'pending'), review('bob', ['prod-approval-2'])],
      ['octocat'],
      2,
      { ok: false, approvers: ['bob'] },
    ],
    [
      'three people where two are needed',
      [
        review('alice', ['prod-approval-1']),
        review('bob', ['prod-approval-2']),
        review('dave', ['prod-approval-2']),
      ],
      ['octocat'],
      2,
      { ok: true, approvers: ['alice', 'bob', 'dave'] },
    ],
    [
      'a rejection beside two approvals',
      [
        review('alice', ['prod-approval-1']),
        review('bob', ['prod-approval-2']),
        review('dave', ['prod-approval-1'], 'rejected'),
      ],
      ['octocat'],
      2,
      { ok: false, approvers: ['alice', 'bob'] },
    ],
    [
      'a rejection of an unlisted environment',
      [
        review('alice', ['prod-approval-1']),
        review('bob', ['prod-approval-2']),
        review('dave', ['staging'], 'rejected'),
      ],
      ['octocat'],
      2,
      { ok: true, approvers: ['alice', 'bob'] },
    ],
    ['no reviews at all', [], ['octocat'], 1, { ok: false, approvers: [], unapproved: ENVIRONMENTS }],
    [
      'one needed, but each environment must be approved',
      [review('alice', ['prod-approval-1'])],
      ['octocat'],
      1,
      { ok: false, approvers: ['alice'], unapproved: ['prod-approval-2'] },
    ],
  ])('%s', (_name, reviews, initiators, required, expected) => {
    const tally = tallyApprovals(reviews, ENVIRONMENTS, initiators, required);
    expect(tally.ok).toBe(expected.ok);
    expect(tally.approvers).toEqual(expected.approvers);
    if (expected.unapproved) expect(tally.unapproved).toEqual(expected.unapproved);
  });

  it('explains who approved what and who was not counted', () => {
    const tally = tallyApprovals(
      [
        review('octocat', ['prod-approval-1']),
        review('bob', ['prod-approval-2']),
        review('eve', ['prod-approval-2'], 'rejected', 'no'),
      ],
      ENVIRONMENTS,
      ['octocat'],
      2,
    );
    expect(explainTally(tally)).toBe(
      'Approvals check failed: rejected by eve (prod-approval-2: "no"); 1 of 2 required distinct approvers; no counted approval for prod-approval-1. Approved: prod-approval-1: nobody; prod-approval-2: bob. Not counted, as they started the run: octocat (prod-approval-1). The run was started by octocat.',
    );
    expect(tally.rows.map((row) => row.verdict)).toEqual(['initiator', 'counted', 'rejected']);
  });
});

describe('initiatorsOf', () => {
  it('joins GitHub’s actor and triggering actor with the runner’s', () => {
    expect(initiatorsOf({ actor: 'a', triggeringActor: 'b' }, { actor: 'c' }, '1')).toEqual(['a', 'b', 'c']);
  });

  it('fails closed when GitHub does not say who started the run', () => {
    expect(() => initiatorsOf({}, { actor: 'c' }, '42')).toThrow('GitHub did not say who started run 42');
  });
});
