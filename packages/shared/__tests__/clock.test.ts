import { spawnSync } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import {
  CLOCK_SWITCH,
  clockFromEnvironment,
  parseClockSwitch,
  ScaledClock,
  systemClock,
} from '../src/clock.js';

describe('the clock switch', () => {
  it('is the machine clock unless the switch is set', () => {
    expect(clockFromEnvironment({})).toBe(systemClock);
  });

  it('reads origin at the anchor and runs rate times as fast', () => {
    const anchor = Date.now() - 1_000;
    const clock = parseClockSwitch(`rate=60;origin=${Date.UTC(2026, 0, 1)};anchor=${anchor}`);
    const elapsed = clock.now() - Date.UTC(2026, 0, 1);
    // One real second (and whatever this line took) is a simulated minute or a little more.
    expect(elapsed).toBeGreaterThanOrEqual(60_000);
    expect(elapsed).toBeLessThan(60_000 * 30);
  });

  it('round-trips through its value, so another process gets the same clock', () => {
    const clock = new ScaledClock({ rate: 120, origin: 1_000_000, anchor: 2_000_000 });
    expect(parseClockSwitch(clock.toSwitch()).options).toEqual(clock.options);
    const env = { [CLOCK_SWITCH]: clock.toSwitch() };
    expect((clockFromEnvironment(env) as ScaledClock).options).toEqual(clock.options);
  });

  it('agrees with a child process given the same switch', () => {
    const clock = new ScaledClock({ rate: 100, origin: Date.UTC(2026, 5, 1), anchor: Date.now() });
    const script =
      "const v=process.env.ECS_SHIP_CLOCK.split(';').map(p=>Number(p.split('=')[1]));" +
      'process.stdout.write(String(Math.round(v[1]+(Date.now()-v[2])*v[0])))';
    const before = clock.now();
    const child = spawnSync(process.execPath, ['-e', script], {
      env: { ...process.env, [CLOCK_SWITCH]: clock.toSwitch() },
      encoding: 'utf8',
    });
    const after = clock.now();
    const theirs = Number(child.stdout);
    expect(theirs).toBeGreaterThanOrEqual(before);
    expect(theirs).toBeLessThanOrEqual(after);
  });

  it('sleeps a simulated duration in rate-times less real time, and can be cancelled', async () => {
    const clock = new ScaledClock({ rate: 1_000, origin: 0, anchor: Date.now() });
    const from = clock.now();
    await clock.sleep(2_000);
    expect(clock.now() - from).toBeGreaterThanOrEqual(1_900);
    const controller = new AbortController();
    const pending = clock.sleep(3_600_000, controller.signal);
    controller.abort();
    await expect(pending).rejects.toThrow();
  });

  it.each([
    ['rate=0;origin=1;anchor=2', /rate must be a positive number/],
    ['rate=2;origin=1', /missing anchor/],
    ['rate=fast;origin=1;anchor=2', /is not key=number/],
  ])('refuses %s, naming what is wrong', (value, message) => {
    expect(() => parseClockSwitch(value)).toThrow(message);
  });
});
