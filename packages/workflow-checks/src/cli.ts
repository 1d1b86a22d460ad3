// Entry point: `npx tsx packages/workflow-checks/src/cli.ts --root .`
import { main } from './main.js';

process.exitCode = main(
  process.argv.slice(2),
  {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
  },
  process.cwd(),
);
