import { describe, expect, it } from '@jest/globals';
import { cancelOnSignals } from '../src/cancellation.js';
import { systemClock } from '../src/clock.js';
import { CancelledError } from '../src/errors.js';

describe('cancelOnSignals', () => {
  it('aborts on SIGTERM, stopping a wait, and stops listening when disposed', async () => {
    const cancellation = cancelOnSignals(['SIGTERM']);
    const before = process.listenerCount('SIGTERM');
    const wait = systemClock.sleep(60_000, cancellation.signal);
    process.emit('SIGTERM', 'SIGTERM');
    await expect(wait).rejects.toBeInstanceOf(CancelledError);
    expect(cancellation.signal.aborted).toBe(true);
    cancellation.dispose();
    expect(process.listenerCount('SIGTERM')).toBe(before - 1);
  });
});
