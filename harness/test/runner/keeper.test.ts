// The peer keeper: a dead peer is started again (one restart at a time, at most maxRestarts per
// run, none once the run is interrupted); a peer that cannot be started again is given up with
// the reason; work holding a peer alone waits for the shared work and holds the rest back; a
// peer the harness stopped because a read hung is started again without counting as a death.
import t from 'tap';
import { PeerKeeper } from '../../runner/keeper.js';
import type { Peer } from '../../peers/peer.js';

/** A peer that is dead when `dead` is set, and whose restart revives it (or fails). */
function fakePeer(opts: { failRestart?: boolean } = {}) {
  const state = { dead: undefined as string | undefined, restarts: 0 };
  const peer = {
    name: 'fake',
    stderr: () => 'Traceback\nValueError: boom\n',
    exitReason: () => state.dead,
    restart: async () => {
      state.restarts++;
      await new Promise((r) => setTimeout(r, 5));
      if (opts.failRestart) throw new Error('the program is gone');
      state.dead = undefined;
    },
  } as unknown as Peer;
  return { peer, state };
}

void t.test('a dead peer is started again, once for concurrent askers', async (t) => {
  const { peer, state } = fakePeer();
  const keeper = new PeerKeeper({ maxRestarts: 2 });
  t.equal(await keeper.revive(peer), true, 'a running peer is left alone');
  t.equal(state.restarts, 0);
  state.dead = 'the peer exited (signal SIGKILL)';
  const [a, b] = await Promise.all([keeper.revive(peer), keeper.revive(peer)]);
  t.same([a, b], [true, true]);
  t.equal(state.restarts, 1, 'two askers at once cause one restart');
  t.equal(keeper.generation(peer), 1, 'sessions opened before it are known to be gone');
  t.match(keeper.health(peer).died, /signal SIGKILL\); it last printed: ValueError: boom/);
  state.dead = 'again';
  t.equal(await keeper.revive(peer), true);
  state.dead = 'and again';
  t.equal(await keeper.revive(peer), false, 'restarts are bounded');
  t.equal(state.restarts, 2);
  t.match(keeper.health(peer), { restarts: 2, gaveUp: /died 3 times \(at most 2 restarts/ });
  t.equal(await keeper.revive(peer), false, 'and it stays given up');
});

void t.test('a peer that cannot be started again, or an interrupted run', async (t) => {
  const { peer, state } = fakePeer({ failRestart: true });
  const keeper = new PeerKeeper();
  state.dead = 'gone';
  t.equal(await keeper.revive(peer), false);
  t.match(keeper.health(peer).gaveUp, /could not be started again: the program is gone/);

  const other = fakePeer();
  const abort = new AbortController();
  const k2 = new PeerKeeper({ signal: abort.signal });
  abort.abort('SIGTERM');
  other.state.dead = 'gone';
  t.equal(await k2.revive(other.peer), false);
  t.equal(other.state.restarts, 0, 'no restart once the run is interrupted');
  t.match(k2.health(other.peer).gaveUp, /interrupted/);
});

void t.test('alone waits for shared work, and shared work waits for it', async (t) => {
  const { peer } = fakePeer();
  const keeper = new PeerKeeper();
  const log: string[] = [];
  const step = (name: string, ms: number) => async () => {
    log.push(`${name} start`);
    await new Promise((r) => setTimeout(r, ms));
    log.push(`${name} end`);
  };
  const s1 = keeper.shared(peer, step('s1', 20));
  const s2 = keeper.shared(peer, step('s2', 5));
  const a = keeper.alone(peer, step('alone', 10));
  const s3 = keeper.shared(peer, step('s3', 1));
  await Promise.all([s1, s2, a, s3]);
  t.same(log.slice(0, 2), ['s1 start', 's2 start'], 'shared work runs together');
  const aloneStart = log.indexOf('alone start');
  t.ok(aloneStart > log.indexOf('s1 end') && aloneStart > log.indexOf('s2 end'), 'alone waits');
  t.equal(log[aloneStart + 1], 'alone end', 'nothing runs beside it');
  t.ok(log.indexOf('s3 start') > log.indexOf('alone end'), 'later shared work waits for it');
});

void t.test(
  'a peer the harness stopped because it hung: started again without counting',
  async (t) => {
    const { peer, state } = fakePeer();
    const stoppable = Object.assign(peer, {
      stop: async () => void (state.dead = 'the peer exited (signal SIGTERM)'),
    });
    const keeper = new PeerKeeper({ maxRestarts: 1 });
    await keeper.stopHung(stoppable);
    t.equal(keeper.isDead(stoppable), true);
    t.equal(await keeper.revive(stoppable), true, 'started again');
    t.equal(keeper.generation(stoppable), 1, 'sessions opened before it are gone');
    t.match(
      keeper.health(stoppable),
      { restarts: 0, hangStops: 1, died: undefined },
      'not one of its deaths, counted apart',
    );
    state.dead = 'it died by itself';
    await keeper.stopHung(stoppable);
    t.equal(keeper.health(stoppable).hangStops, 1, 'a peer that died by itself is not our stop');
    t.equal(await keeper.revive(stoppable), true, 'its one real restart is still there');
    t.equal(keeper.health(stoppable).restarts, 1);
    // Reads that give up on it at once stop it once.
    let kills = 0;
    const killable = Object.assign(stoppable, {
      kill: async () => {
        kills++;
        await new Promise((r) => setTimeout(r, 20));
        state.dead = 'the peer exited (signal SIGKILL)';
      },
    });
    state.dead = undefined;
    await Promise.all([1, 2, 3].map(() => keeper.stopHung(killable)));
    t.equal(kills, 1, 'one kill');
    t.equal(keeper.health(killable).hangStops, 2, 'counted once');
    t.equal(await keeper.revive(killable), true);
    state.dead = undefined;
    await keeper.stopHung(killable);
    t.equal(kills, 2, 'started again, it can be stopped again');
  },
);
