import { jest } from '@jest/globals';
import type * as Core from '@actions/core';

/**
 * A typed stand-in for @actions/core that records what an action told the runner. Inputs come
 * from `inputs`; nothing depends on the order in which they are read.
 */
export function createCoreFixture(inputs: Record<string, string> = {}) {
  const outputs: Record<string, string> = {};
  const state: Record<string, string> = {};
  const failures: string[] = [];
  const secrets: string[] = [];
  const log: string[] = [];
  const core = {
    getInput: jest.fn<typeof Core.getInput>((name) => inputs[name] ?? ''),
    setOutput: jest.fn<typeof Core.setOutput>((name, value) => {
      outputs[name] = String(value);
    }),
    setFailed: jest.fn<typeof Core.setFailed>((message) => {
      failures.push(String(message));
    }),
    setSecret: jest.fn<typeof Core.setSecret>((value) => {
      secrets.push(value);
    }),
    saveState: jest.fn<typeof Core.saveState>((name, value) => {
      state[name] = String(value);
    }),
    getState: jest.fn<typeof Core.getState>((name) => state[name] ?? ''),
    debug: jest.fn<typeof Core.debug>((message) => log.push(`debug: ${message}`)),
    info: jest.fn<typeof Core.info>((message) => log.push(message)),
    warning: jest.fn<typeof Core.warning>((message) => log.push(`warning: ${String(message)}`)),
    error: jest.fn<typeof Core.error>((message) => log.push(`error: ${String(message)}`)),
    group: jest.fn(async <T>(name: string, body: () => Promise<T>): Promise<T> => {
      log.push(`group: ${name}`);
      return body();
    }),
  };
  return { core, outputs, state, failures, secrets, log };
}
