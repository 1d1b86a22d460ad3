// The command line of a `run:` step, as the runner builds it on Linux: the script in a file, `{0}` its path.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError } from '@ecs-ship/shared/errors';

export interface ShellCommand {
  command: string;
  args: string[];
}

// No `shell:` at all is `bash -e {0}`; `shell: bash` adds pipefail and skips the profile.
const UNSPECIFIED = 'bash -e {0}';
const KNOWN: Record<string, { template: string; extension: string }> = {
  bash: { template: 'bash --noprofile --norc -eo pipefail {0}', extension: '.sh' },
  sh: { template: 'sh -e {0}', extension: '.sh' },
  python: { template: 'python {0}', extension: '.py' },
};
const WINDOWS_SHELLS = new Set(['pwsh', 'powershell', 'cmd']);

export async function scriptCommand(
  shell: string | undefined,
  script: string,
  directory: string,
): Promise<ShellCommand> {
  const name = shell?.trim();
  let template: string;
  let extension = '.sh';
  if (name === undefined || name === '') template = UNSPECIFIED;
  else if (KNOWN[name]) ({ template, extension } = KNOWN[name]);
  else if (WINDOWS_SHELLS.has(name)) {
    throw new ConfigurationError(
      `shell '${name}' is not supported by the workflow runner (Linux shells only)`,
    );
  } else if (name.includes('{0}')) template = name;
  else {
    throw new ConfigurationError(`shell '${name}' is not known; give bash, sh, python or a command with {0}`);
  }
  const file = join(directory, `script${extension}`);
  await writeFile(file, script);
  const [command = '', ...args] = template.split(/\s+/).map((part) => part.replace('{0}', file));
  return { command, args };
}
