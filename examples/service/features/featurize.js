// The featurization task the seeds run on a GPU (ECS run-task, CUDA image): reads SMILES lines,
// writes one fingerprint per line. Here a deterministic stand-in on the CPU: the same input always
// gives the same output, and a malformed line exits 2 so a failed task has a real exit code.
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';

const SMILES = /^[A-Za-z0-9@+\-[\]()=#$%/\\.]+$/;

export function fingerprint(smiles, bits = 64) {
  const digest = createHash('sha256').update(smiles).digest();
  let out = '';
  for (let i = 0; i < bits / 8; i++) out += digest[i].toString(2).padStart(8, '0');
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  let line = 0;
  for await (const text of createInterface({ input: process.stdin })) {
    line += 1;
    const smiles = text.trim();
    if (smiles === '') continue;
    if (!SMILES.test(smiles)) {
      process.stderr.write(`line ${line}: not a SMILES string: ${JSON.stringify(smiles.slice(0, 80))}\n`);
      process.exit(2);
    }
    process.stdout.write(`${smiles}\t${fingerprint(smiles)}\n`);
  }
}
