#!/usr/bin/env node
// The schema migration a release runs as a one-off ECS task before its services change (deploy.yml's
// tasks job). A stand-in with a real exit code: it "applies" the migrations named in MIGRATIONS
// (comma-separated, default the two this service has) and exits 0; MIGRATION_FAIL=<name> makes that
// one fail with exit code 3, as a failed migration would.
const migrations = (process.env.MIGRATIONS || '0001_create_rankings,0002_index_smiles').split(',');
const failing = process.env.MIGRATION_FAIL || '';
for (const name of migrations.map((item) => item.trim()).filter(Boolean)) {
  if (name === failing) {
    process.stderr.write(`migration ${name} failed: relation "rankings" is locked\n`);
    process.exit(3);
  }
  process.stdout.write(`applied ${name}\n`);
}
process.stdout.write(`${migrations.length} migrations up to date\n`);
