// Entry point of `npm run rehearse`. Ctrl-C cancels the running step (as GitHub cancels a run: the
// deploy's finish answers ROLLBACK) and then stops every server and task the rehearsal started.
// Further Ctrl-Cs do not cut that short: leaving moto, dockerd or tasks behind is worse than waiting.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { HELP, OptionError, parseOptions } from './options.js';
import { rehearse } from './rehearse.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2), { out: root });
  } catch (err) {
    if (err instanceof OptionError) {
      process.stderr.write(`rehearse: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (options === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  const controller = new AbortController();
  let interrupts = 0;
  const interrupt = (signal: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        `\nrehearse: ${signal}: cancelling the run, then stopping everything it started (again to force)\n`,
      );
      controller.abort();
    } else process.stderr.write('rehearse: still stopping what it started …\n');
  };
  process.on('SIGINT', interrupt);
  process.on('SIGTERM', interrupt);
  const result = await rehearse(root, options, controller.signal);
  if (result.cleanupFailures.length > 0) {
    process.stderr.write(`rehearse: could not stop: ${result.cleanupFailures.join('; ')}\n`);
    return 1;
  }
  if (controller.signal.aborted && !options.keep) return 130;
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`rehearse: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
