import { describe, expect, it } from 'vitest';
import { CatchUp, type CatchUpParts } from '../../extension/catch-up.ts';

/** Parts that record each call; `hold` makes the next flush wait until released. */
function parts(options: { identity?: boolean; failing?: string[] } = {}) {
  const calls: string[] = [];
  let release: (() => void) | null = null;
  const step = (name: string) => async () => {
    calls.push(name);
    if (name === 'flush' && hold.next) {
      hold.next = false;
      await new Promise<void>((resolve) => (release = resolve));
    }
    if (options.failing?.includes(name)) throw new Error(`${name} failed`);
  };
  const hold = { next: false };
  const fake: CatchUpParts = {
    outbox: { flush: step('flush'), retryNow: step('retryNow') },
    server: {
      syncInterests: step('syncInterests'),
      refresh: step('refresh'),
      hasIdentity: async () => {
        calls.push('hasIdentity');
        return options.identity ?? true;
      },
    },
    stream: { listen: step('listen') },
  };
  return { fake, calls, hold, release: () => release?.() };
}

describe('the catch-up', () => {
  it('delivers, then reads, then listens, in that order', async () => {
    const { fake, calls } = parts();
    await new CatchUp(fake).run('started');
    expect(calls).toEqual(['flush', 'syncInterests', 'hasIdentity', 'refresh', 'listen']);
  });

  it('makes what waits due now when the shopper is looking, and does only what each reason needs', async () => {
    const { fake, calls } = parts();
    const catchUp = new CatchUp(fake);
    await catchUp.run('popup');
    expect(calls.splice(0)).toEqual(['retryNow', 'syncInterests', 'hasIdentity', 'refresh', 'listen']);
    await catchUp.run('joined');
    expect(calls.splice(0)).toEqual(['flush', 'syncInterests', 'hasIdentity', 'listen']);
    await catchUp.run('notice');
    expect(calls.splice(0)).toEqual(['flush', 'syncInterests', 'hasIdentity', 'refresh']);
    await catchUp.run('retry');
    expect(calls.splice(0)).toEqual(['flush', 'syncInterests', 'hasIdentity']);
  });

  it('reads and listens only for a shopper who has acted (an identity)', async () => {
    const { fake, calls } = parts({ identity: false });
    await new CatchUp(fake).run('alarm');
    expect(calls).toEqual(['flush', 'syncInterests', 'hasIdentity']);
  });

  it('runs every step when one fails, and reports the first failure', async () => {
    const { fake, calls } = parts({ failing: ['syncInterests', 'refresh'] });
    await expect(new CatchUp(fake).run('sync-now')).rejects.toThrow('syncInterests failed');
    expect(calls).toEqual(['retryNow', 'syncInterests', 'hasIdentity', 'refresh', 'listen']);
  });

  it('runs one at a time: what is asked meanwhile runs once after it, with every step asked for', async () => {
    const { fake, calls, hold, release } = parts();
    const catchUp = new CatchUp(fake);
    hold.next = true;
    const first = catchUp.run('retry');
    await Promise.resolve();
    const second = catchUp.run('notice');
    const third = catchUp.run('settings');
    expect(calls).toEqual(['flush']);
    release();
    await Promise.all([first, second, third]);
    expect(calls).toEqual(['flush', 'syncInterests', 'hasIdentity', 'flush', 'syncInterests', 'hasIdentity', 'refresh', 'listen']);
  });
});
