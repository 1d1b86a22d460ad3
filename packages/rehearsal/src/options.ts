// The rehearsal's command line: few options, each named for what a person wants to try.
export type StagingStrategy = 'canary' | 'linear';

export interface RehearsalOptions {
  /** The new revision answers a share of /rank with 5xx and more slowly (its task definition's environment). */
  regression: boolean;
  /** Staging's strategy for the api (prod stays blue/green). */
  strategy: StagingStrategy;
  /** Leave the local AWS, the tasks and the load balancers running until Ctrl-C. */
  keep: boolean;
  /** Parent directory of rehearsal/<run>/. */
  out: string;
  /** `auto` uses Docker when it is there; `process` runs tasks as local processes without building. */
  tasks: 'auto' | 'process';
  /** Simulated milliseconds per real millisecond. */
  rate: number;
}

export const HELP = `npm run rehearse -- [options]

Runs the delivery pipeline on this machine: push to main -> build the CPU and CUDA images -> migration
and featurization tasks -> dev (rolling) + smoke test -> staging (canary 10%, canary-gate at the pause)
-> prod (blue/green, smoke test on the test listener, a 5-minute watch). The steps are the workflows'
own (.github/workflows, examples/workflows), each action from its dist. Tasks really run behind a
local load balancer whose metrics canary-gate judges. Time is simulated (see --rate); nothing reaches
AWS or GitHub.

Options:
  --regression        make the new revision worse (10% of /rank answers 5xx, +150 ms): staging's
                      gate rolls it back and the promotion stops; exit code 0 when it does
  --strategy NAME     staging's strategy: canary (default) or linear
  --keep              leave the local AWS, tasks and load balancers running afterwards (Ctrl-C stops)
  --out DIR           where rehearsal/<run>/ goes (default: the repository root)
  --process           run tasks as local processes even when Docker is available (no image build)
  --rate N            simulated time runs N times as fast as real time (default 10)
  --help              this text

Output: rehearsal/<run>/index.html (every job summary, the traffic timeline, the AWS call log),
rehearsal/<run>/result.json (machine-readable outcome), steps/*.md (each job summary).
Exit code: 0 when the pipeline did what it should (promoted to prod; with --regression, rolled
back at staging); 1 otherwise; 2 for a bad option.`;

export class OptionError extends Error {}

export function parseOptions(argv: string[], defaults: { out: string }): RehearsalOptions | 'help' {
  const options: RehearsalOptions = {
    regression: false,
    strategy: 'canary',
    keep: false,
    out: defaults.out,
    tasks: 'auto',
    rate: 10,
  };
  const value = (index: number, name: string): string => {
    const given = argv[index + 1];
    if (given === undefined || given.startsWith('--')) throw new OptionError(`${name} needs a value`);
    return given;
  };
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    const [name, inline] = arg.includes('=')
      ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)]
      : [arg, undefined];
    const take = (): string => {
      if (inline !== undefined) return inline;
      const given = value(index, name);
      index++;
      return given;
    };
    switch (name) {
      case '--help':
      case '-h':
        return 'help';
      case '--regression':
        options.regression = true;
        break;
      case '--keep':
        options.keep = true;
        break;
      case '--process':
        options.tasks = 'process';
        break;
      case '--strategy': {
        const strategy = take();
        if (strategy !== 'canary' && strategy !== 'linear')
          throw new OptionError(`--strategy: expected canary or linear, got "${strategy}"`);
        options.strategy = strategy;
        break;
      }
      case '--out':
        options.out = take();
        break;
      case '--rate': {
        const raw = take();
        const rate = Number(raw);
        if (!Number.isFinite(rate) || rate < 1 || rate > 600)
          throw new OptionError(`--rate: expected a number from 1 to 600, got "${raw}"`);
        options.rate = rate;
        break;
      }
      default:
        throw new OptionError(`unknown option "${arg}" (see --help)`);
    }
  }
  return options;
}
