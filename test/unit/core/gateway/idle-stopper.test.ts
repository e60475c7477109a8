import { afterEach, describe, expect, it } from 'vitest';
import { IdleStopper, type IdleLeg } from '../../../../src-main/core/gateway/idle-stopper.js';

const wait = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('IdleStopper', () => {
  const made: IdleStopper[] = [];
  const make = (leg: IdleLeg, idleMs: number, stop: (server: string) => void = () => undefined, notes: string[] = [], pinned = false): IdleStopper => {
    const stopper = new IdleStopper({ idleMs: () => idleMs, current: () => leg, pinned: () => pinned, stop, note: (text) => void notes.push(text) });
    made.push(stopper);
    return stopper;
  };
  afterEach(() => {
    for (const stopper of made.splice(0)) stopper.close();
  });

  describe('settled()', () => {
    it('stops a leg that stayed idle with no request for the idle time', async () => {
      const stopped: string[] = [];
      make({ idle: true, activity: 3 }, 20, (server) => void stopped.push(server)).settled('files');
      await wait(80);
      expect(stopped).toEqual(['files']);
    });

    it('leaves a leg that saw a request meanwhile, one that is busy, and one holding subscriptions', async () => {
      const stopped: string[] = [];
      const leg = { idle: true, activity: 1 };
      make(leg, 20, (server) => void stopped.push(server)).settled('a');
      leg.activity = 2;
      const busy = { idle: false, activity: 1 };
      make(busy, 20, (server) => void stopped.push(server)).settled('b');
      make({ idle: true, activity: 1 }, 20, (server) => void stopped.push(server), [], true).settled('c');
      await wait(80);
      expect(stopped).toEqual([]);
    });

    it('does nothing when the setting is 0', async () => {
      const stopped: string[] = [];
      make({ idle: true, activity: 0 }, 0, (server) => void stopped.push(server)).settled('a');
      await wait(40);
      expect(stopped).toEqual([]);
    });

    it('reports a stop that throws instead of letting it escape the timer', async () => {
      const notes: string[] = [];
      make({ idle: true, activity: 0 }, 10, () => {
        throw new Error('boom');
      }, notes).settled('files');
      await wait(60);
      expect(notes).toEqual(['the idle stop of "files" failed: Error: boom']);
    });
  });

  describe('close()', () => {
    it('cancels every timer', async () => {
      const stopped: string[] = [];
      const stopper = make({ idle: true, activity: 0 }, 20, (server) => void stopped.push(server));
      stopper.settled('a');
      stopper.close();
      await wait(60);
      expect(stopped).toEqual([]);
    });
  });
});
