// The command line: `workflow-checks [--root DIR] [--workflows DIR]... [--self OWNER/REPO]`.
import { resolve } from 'node:path';
import { checkRepository, ConfigurationError } from './check.js';
import { formatFinding } from './finding.js';

export const USAGE =
  'usage: workflow-checks [--root DIR] [--workflows DIR]... [--self OWNER/REPO]\n' +
  '  --root       the repository to check (default: the current directory)\n' +
  '  --workflows  a directory of workflows, relative to the root (default: .github/workflows); repeatable\n' +
  '  --self       this repository as OWNER/REPO: OWNER/REPO/path@ref is then checked against the local files\n' +
  'Prints file:line: rule: message per finding; exits 1 on any finding, 2 on a usage error.\n';

export interface Output {
  out(text: string): void;
  err(text: string): void;
}

/** Runs the checks and returns the exit code: 0 clean, 1 findings, 2 usage or configuration error. */
export function main(argv: readonly string[], output: Output, cwd: string): number {
  try {
    const options = parseArguments(argv, cwd);
    if (options === 'help') {
      output.out(USAGE);
      return 0;
    }
    const result = checkRepository(options);
    for (const finding of result.findings) output.out(`${formatFinding(finding)}\n`);
    const summary = `${result.findings.length} finding(s) in ${result.checked.length} file(s) checked`;
    output.err(`workflow-checks: ${summary}\n`);
    return result.findings.length > 0 ? 1 : 0;
  } catch (error) {
    if (!(error instanceof ConfigurationError)) throw error;
    output.err(`workflow-checks: ${error.message}\n${USAGE}`);
    return 2;
  }
}

function parseArguments(argv: readonly string[], cwd: string) {
  let root = cwd;
  const workflowDirectories: string[] = [];
  let selfRepository: string | undefined;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index] as string;
    if (argument === '--help' || argument === '-h') return 'help' as const;
    const [flag, inline] =
      argument.startsWith('--') && argument.includes('=') ? argument.split(/=(.*)/s) : [argument];
    const next = () => {
      const given = inline ?? argv[++index];
      if (given === undefined || given === '') throw new ConfigurationError(`${flag} needs a value`);
      return given;
    };
    if (flag === '--root') root = resolve(cwd, next());
    else if (flag === '--workflows') workflowDirectories.push(next());
    else if (flag === '--self') {
      selfRepository = next();
      if (!/^[\w.-]+\/[\w.-]+$/.test(selfRepository)) {
        throw new ConfigurationError(`--self must be OWNER/REPO; got ${JSON.stringify(selfRepository)}`);
      }
    } else throw new ConfigurationError(`unknown argument ${JSON.stringify(argument)}`);
  }
  return {
    root,
    workflowDirectories: workflowDirectories.length > 0 ? workflowDirectories : ['.github/workflows'],
    selfRepository,
  };
}
