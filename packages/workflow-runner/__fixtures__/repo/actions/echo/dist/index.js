// Fixture action for the workflow runner's tests: plain JavaScript, no dependencies, written the way
// @actions/core writes file commands.
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const env = process.env;
const input = (name) => env[`INPUT_${name.toUpperCase()}`] ?? '';

function fileCommand(file, name, value) {
  const delimiter = `ghadelimiter_${randomUUID()}`;
  appendFileSync(env[file], `${name}<<${delimiter}\n${value}\n${delimiter}\n`);
}

if (env.STATE_isPost === 'true') {
  console.log(`post of ${env.STATE_message} (main ran in ${env.STATE_cwd})`);
  appendFileSync(env.GITHUB_STEP_SUMMARY, `post ${env.STATE_message}\n`);
  process.exit(input('fail-post') === 'true' ? 1 : 0);
}

const message = input('message');
const token = input('token');
console.log(`message: ${message}`);
// A secret printed on purpose: the runner must mask it in what it records.
console.log(`token: ${token}`);
fileCommand('GITHUB_OUTPUT', 'message', message);
fileCommand('GITHUB_OUTPUT', 'greeting', input('greeting'));
fileCommand('GITHUB_OUTPUT', 'has-token', String(token !== ''));
fileCommand(
  'GITHUB_OUTPUT',
  'inputs',
  JSON.stringify(Object.keys(env).filter((name) => name.startsWith('INPUT_')).sort()),
);
fileCommand('GITHUB_STATE', 'isPost', 'true');
fileCommand('GITHUB_STATE', 'message', message);
fileCommand('GITHUB_STATE', 'cwd', process.cwd());
appendFileSync(env.GITHUB_STEP_SUMMARY, `### echo\n${message}\n`);
if (input('fail') === 'true') {
  console.log('::error::echo was asked to fail');
  process.exit(1);
}
