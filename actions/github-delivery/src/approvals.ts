import { OutcomeError } from '@ecs-ship/shared/errors';
import type { GitHubClient, RepoRef } from '@ecs-ship/shared/github-client';

/** One review of a run's protected environments, as GET …/actions/runs/{id}/approvals lists it. */
export interface Review {
  environments: string[];
  state: string;
  login: string;
  comment: string;
}

export interface ReviewRow extends Review {
  /** The environments of this review that are among those that count. */
  relevant: string[];
  verdict: 'counted' | 'initiator' | 'rejected' | 'not-listed' | 'pending';
}

export interface ApprovalTally {
  required: number;
  environments: string[];
  initiators: string[];
  /** Distinct logins whose approval counts, in the order they first approved. */
  approvers: string[];
  /** Per listed environment, who approved it (counted approvals only). */
  byEnvironment: Record<string, string[]>;
  rows: ReviewRow[];
  rejected: ReviewRow[];
  /** Listed environments without a counted approval. */
  unapproved: string[];
  ok: boolean;
}

/**
 * GitHub releases a job after any one required reviewer approves; two people are enforced by two
 * environments in sequence and this count: distinct people who approved a listed environment, none
 * of them the person who started (or re-ran) the run, every listed environment approved by someone
 * who counts, and no rejection of a listed environment.
 */
export function tallyApprovals(
  reviews: readonly Review[],
  environments: readonly string[],
  initiators: readonly string[],
  required: number,
): ApprovalTally {
  const listed = new Map(environments.map((name) => [name.toLowerCase(), name]));
  const excluded = new Set(initiators.map((login) => login.toLowerCase()));
  const approvers: string[] = [];
  const byEnvironment: Record<string, string[]> = Object.fromEntries(environments.map((name) => [name, []]));
  const rows = reviews.map((review): ReviewRow => {
    const relevant = review.environments
      .map((name) => listed.get(name.toLowerCase()))
      .filter((name): name is string => name !== undefined);
    const state = review.state.toLowerCase();
    const verdict: ReviewRow['verdict'] =
      relevant.length === 0
        ? 'not-listed'
        : state === 'rejected'
          ? 'rejected'
          : state !== 'approved'
            ? 'pending'
            : excluded.has(review.login.toLowerCase())
              ? 'initiator'
              : 'counted';
    if (verdict === 'counted') {
      if (!approvers.some((login) => login.toLowerCase() === review.login.toLowerCase()))
        approvers.push(review.login);
      for (const name of relevant) {
        const list = byEnvironment[name]!;
        if (!list.some((login) => login.toLowerCase() === review.login.toLowerCase()))
          list.push(review.login);
      }
    }
    return { ...review, relevant, verdict };
  });
  const rejected = rows.filter((row) => row.verdict === 'rejected');
  const unapproved = environments.filter((name) => (byEnvironment[name] ?? []).length === 0);
  return {
    required,
    environments: [...environments],
    initiators: initiators.filter(
      (login, index) =>
        initiators.findIndex((other) => other.toLowerCase() === login.toLowerCase()) === index,
    ),
    approvers,
    byEnvironment,
    rows,
    rejected,
    unapproved,
    ok: rejected.length === 0 && unapproved.length === 0 && approvers.length >= required,
  };
}

/** Why the tally fails, naming who approved what, so the message alone tells what is missing. */
export function explainTally(tally: ApprovalTally): string {
  const reasons: string[] = [];
  if (tally.rejected.length > 0)
    reasons.push(
      `rejected by ${tally.rejected.map((row) => `${row.login} (${row.relevant.join(', ')}${row.comment ? `: "${row.comment}"` : ''})`).join(', ')}`,
    );
  if (tally.approvers.length < tally.required)
    reasons.push(`${tally.approvers.length} of ${tally.required} required distinct approvers`);
  if (tally.unapproved.length > 0) reasons.push(`no counted approval for ${tally.unapproved.join(', ')}`);
  const approved = tally.environments
    .map((name) => `${name}: ${(tally.byEnvironment[name] ?? []).join(', ') || 'nobody'}`)
    .join('; ');
  const initiatorApprovals = tally.rows.filter((row) => row.verdict === 'initiator');
  const excluded =
    initiatorApprovals.length > 0
      ? ` Not counted, as they started the run: ${initiatorApprovals.map((row) => `${row.login} (${row.relevant.join(', ')})`).join(', ')}.`
      : '';
  return `Approvals check failed: ${reasons.join('; ')}. Approved: ${approved}.${excluded} The run was started by ${tally.initiators.join(', ') || 'nobody known'}.`;
}

export interface RunInitiators {
  actor?: string;
  triggeringActor?: string;
}

/** The run's reviews (all pages) and who started it, from GitHub. */
export async function fetchRunReviews(
  github: GitHubClient,
  repo: RepoRef,
  runId: string,
): Promise<{ reviews: Review[]; initiators: RunInitiators }> {
  const { data: run } = await github.rest.actions.getWorkflowRun({ ...repo, run_id: Number(runId) });
  // The endpoint documents no paging parameters; paginate follows a Link header if there is one.
  const items = await github.paginate(github.rest.actions.getReviewsForRun, {
    ...repo,
    run_id: Number(runId),
  });
  const reviews = items.map((item) => ({
    environments: item.environments
      .map((environment) => environment.name ?? '')
      .filter((name) => name !== ''),
    state: item.state,
    login: item.user.login,
    comment: item.comment ?? '',
  }));
  return {
    reviews,
    initiators: {
      ...(run.actor?.login ? { actor: run.actor.login } : {}),
      ...(run.triggering_actor?.login ? { triggeringActor: run.triggering_actor.login } : {}),
    },
  };
}

/** Everyone who started the run, from GitHub and the runner; GitHub's actor must be known. */
export function initiatorsOf(fromApi: RunInitiators, fromRunner: RunInitiators, runId: string): string[] {
  if (!fromApi.actor)
    throw new OutcomeError(
      `GitHub did not say who started run ${runId} (actor.login missing): the approvals cannot be checked.`,
    );
  return [fromApi.actor, fromApi.triggeringActor, fromRunner.actor, fromRunner.triggeringActor].filter(
    (login): login is string => login !== undefined && login !== '',
  );
}
