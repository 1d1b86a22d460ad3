// Starts moto and the ECS deployment emulator in front of it, prints the environment a dist (or
// the AWS CLI) needs, and runs until SIGINT/SIGTERM/SIGHUP, then stops both. For the local rehearsal:
//   node --import tsx packages/local-aws/src/cli.ts --rate 60
// (run node itself, not npx: npx does not pass SIGTERM on, and moto would outlive it).
// --rate R: simulated time runs R times as fast (default 1); the printed ECS_SHIP_CLOCK gives
// every process started with it the same simulated time.
import { ScaledClock } from '@ecs-ship/shared/clock';
import { startMoto } from '@ecs-ship/testing/moto';
import { startLocalAws } from './local-aws.js';

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const rate = Number(option('rate') ?? '1');
  if (!(rate > 0)) throw new Error(`--rate must be a positive number; got ${option('rate')}`);
  const now = Date.now();
  const clock = new ScaledClock({ rate, origin: now, anchor: now });
  const moto = await startMoto();
  const local = await startLocalAws({ motoEndpoint: moto.endpoint, clock });
  process.stdout.write(
    `local-aws: ECS emulator on ${local.endpoint}, moto on ${moto.endpoint} (pid ${moto.pid}), ` +
      `clock rate ${rate}; stop with kill ${process.pid}\n`,
  );
  for (const [key, value] of Object.entries(local.env())) process.stdout.write(`export ${key}='${value}'\n`);
  const stop = async (): Promise<void> => {
    await local.stop();
    await moto.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
  process.once('SIGHUP', () => void stop());
}

main().catch((err: unknown) => {
  process.stderr.write(`local-aws: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
