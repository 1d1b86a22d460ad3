import { describe, expect, it } from '@jest/globals';
import { isReusableWorkflowPath, localPath, parseUses, remoteName } from '../src/uses.js';

describe('parseUses', () => {
  it.each([
    ['./actions/ecs-deploy', { kind: 'local', path: 'actions/ecs-deploy' }],
    ['./.github/workflows/deploy.yml', { kind: 'local', path: '.github/workflows/deploy.yml' }],
    ['docker://alpine:3.20', { kind: 'docker', image: 'alpine:3.20' }],
    ['actions/checkout@v4', { kind: 'remote', repository: 'actions/checkout', path: '', ref: 'v4' }],
    [
      'acme/ship/actions/ecs-deploy@main',
      { kind: 'remote', repository: 'acme/ship', path: 'actions/ecs-deploy', ref: 'main' },
    ],
    ['actions/cache', { kind: 'remote', repository: 'actions/cache', path: '', ref: undefined }],
  ])('%s', (uses, expected) => {
    expect(parseUses(uses)).toEqual(expected);
  });
});

describe('localPath', () => {
  it('names this repository by ./path, or by OWNER/REPO/path when told who it is', () => {
    expect(localPath(parseUses('./actions/x'), undefined)).toBe('actions/x');
    expect(localPath(parseUses('Acme/Ship/actions/x@v1'), 'acme/ship')).toBe('actions/x');
    expect(localPath(parseUses('acme/ship/actions/x@v1'), undefined)).toBeUndefined();
    expect(localPath(parseUses('other/ship/actions/x@v1'), 'acme/ship')).toBeUndefined();
    expect(localPath(parseUses('docker://alpine'), 'acme/ship')).toBeUndefined();
  });
});

describe('remoteName and isReusableWorkflowPath', () => {
  it('recognise an action at any ref and a workflow file', () => {
    expect(remoteName(parseUses('Actions/Checkout@v4'))).toBe('actions/checkout');
    expect(remoteName(parseUses('./actions/x'))).toBeUndefined();
    expect(isReusableWorkflowPath('.github/workflows/deploy.yml')).toBe(true);
    expect(isReusableWorkflowPath('actions/ecs-deploy')).toBe(false);
  });
});
