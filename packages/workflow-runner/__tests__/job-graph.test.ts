import { describe, expect, it } from '@jest/globals';
import { ancestors, jobOrder } from '../src/job-graph.js';

describe('jobOrder', () => {
  it('runs a job after its needs, the earliest declared ready job first', () => {
    expect(
      jobOrder([
        { key: 'second', needs: ['first'] },
        { key: 'first', needs: [] },
        { key: 'independent', needs: [] },
        { key: 'last', needs: ['second', 'independent'] },
      ]),
    ).toEqual(['first', 'second', 'independent', 'last']);
  });

  it('refuses needs of a job that does not exist, and cycles', () => {
    expect(() => jobOrder([{ key: 'a', needs: ['b'] }])).toThrow(
      "job 'a' needs 'b', which is not a job of this workflow",
    );
    expect(() =>
      jobOrder([
        { key: 'a', needs: ['b'] },
        { key: 'b', needs: ['a'] },
      ]),
    ).toThrow('the needs of a, b form a cycle');
  });
});

describe('ancestors', () => {
  it('follows needs through other jobs', () => {
    const jobs = [
      { key: 'a', needs: [] },
      { key: 'b', needs: ['a'] },
      { key: 'c', needs: ['b'] },
      { key: 'd', needs: [] },
    ];
    expect(ancestors(jobs, 'c').sort()).toEqual(['a', 'b']);
    expect(ancestors(jobs, 'd')).toEqual([]);
  });
});
