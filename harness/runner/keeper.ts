/**
 * Keeping a run's peers alive: a peer that died (it exited, or its control connection closed) is
 * started again, a bounded number of times per run, one restart at a time; work on a peer holds
 * it shared (many schemas at once) or alone (rerunning what a death cost, value by value, so that
 * a value that kills the peer again is known to be the one).
 */
import { stopAtOnce } from '../peers/peer.js';
import type { Peer } from '../peers/peer.js';

/** Restarts of one peer in one run before its remaining cases are reported as not run. */
export const MAX_RESTARTS = 5;

/** What happened to one peer's health during a run. */
export interface PeerHealth {
  /** Times it died and was started again. */
  readonly restarts: number;
  /** Why it last died (its exit status and the last thing it printed). */
  readonly died?: string;
  /** Why it was not started again (restarts used up, a failed start, the run interrupted). */
  readonly gaveUp?: string;
  /**
   * Times the harness stopped it because a read went over its bounds (a hang confirmed alone, or a
   * first read that may have waited behind one); not counted in `restarts`.
   */
  readonly hangStops: number;
}

/** A readers-writer lock: many holders share it, or one holds it alone. */
class SharedOrAlone {
  #sharing = 0;
  #alone = false;
  readonly #waiting: { alone: boolean; go: () => void }[] = [];

  async run<T>(alone: boolean, fn: () => Promise<T>): Promise<T> {
    if (!this.#canGo(alone) || this.#waiting.length > 0)
      await new Promise<void>((go) => this.#waiting.push({ alone, go }));
    else this.#take(alone);
    try {
      return await fn();
    } finally {
      if (alone) this.#alone = false;
      else this.#sharing--;
      this.#wake();
    }
  }

  #canGo(alone: boolean): boolean {
    return alone ? !this.#alone && this.#sharing === 0 : !this.#alone;
  }

  #take(alone: boolean): void {
    if (alone) this.#alone = true;
    else this.#sharing++;
  }

  #wake(): void {
    while (this.#waiting.length > 0 && this.#canGo(this.#waiting[0]!.alone)) {
      const w = this.#waiting.shift()!;
      this.#take(w.alone);
      w.go();
      if (w.alone) return;
    }
  }
}

interface State {
  restarts: number;
  generation: number;
  died?: string;
  gaveUp?: string;
  restarting?: Promise<boolean> | undefined;
  /**
   * The harness's stop of it (a hung read), under way or done, until it is started again: that
   * restart is not one of its deaths.
   */
  stopping?: Promise<void> | undefined;
  hangStops: number;
  readonly lock: SharedOrAlone;
}

/** Restarts the run's peers when they die and lends them out shared or alone. */
export class PeerKeeper {
  readonly #states = new Map<Peer, State>();
  readonly #maxRestarts: number;
  readonly #signal: AbortSignal | undefined;

  /** `maxRestarts` per peer (default MAX_RESTARTS); none once `signal` is aborted. */
  constructor(options: { maxRestarts?: number; signal?: AbortSignal } = {}) {
    this.#maxRestarts = options.maxRestarts ?? MAX_RESTARTS;
    this.#signal = options.signal;
  }

  #state(peer: Peer): State {
    let s = this.#states.get(peer);
    if (s === undefined)
      this.#states.set(
        peer,
        (s = { restarts: 0, generation: 0, hangStops: 0, lock: new SharedOrAlone() }),
      );
    return s;
  }

  /** How many times `peer` was started again so far: a session opened before a restart is gone. Never throws. */
  generation(peer: Peer): number {
    return this.#state(peer).generation;
  }

  /**
   * Stops `peer` because the harness gave up waiting for it (a read that hung): it is started again
   * like a peer that died, but that restart does not count towards `maxRestarts`. The reads that
   * wait on it at once all give up together: one stop, counted once, until it is started again.
   * Never rejects.
   */
  async stopHung(peer: Peer): Promise<void> {
    const s = this.#state(peer);
    if (s.stopping === undefined) {
      if (this.isDead(peer)) return; // it died by itself: one of its deaths, not our stop
      s.hangStops++;
      s.stopping = stopAtOnce(peer).catch(() => undefined);
    }
    await s.stopping;
  }

  /** Whether `peer` is not running (a peer that cannot tell is taken to run). Never throws. */
  isDead(peer: Peer): boolean {
    return peer.exitReason?.() !== undefined;
  }

  /**
   * Makes sure `peer` runs: resolves true when it runs (started again if it had died and may be),
   * false when it is dead for the rest of the run (see {@link health}). Never rejects.
   */
  async revive(peer: Peer): Promise<boolean> {
    const s = this.#state(peer);
    if (s.restarting !== undefined) return s.restarting;
    if (!this.isDead(peer)) return true;
    if (s.gaveUp !== undefined) return false;
    const ours = s.stopping !== undefined;
    s.stopping = undefined;
    const lastLine = peer.stderr().trim().split('\n').pop()?.trim();
    if (!ours)
      s.died = `${peer.exitReason?.() ?? 'it died'}${lastLine ? `; it last printed: ${lastLine.slice(0, 300)}` : ''}`;
    if (this.#signal?.aborted === true) {
      s.gaveUp = 'the run was interrupted';
      return false;
    }
    if (peer.restart === undefined) {
      s.gaveUp = 'this kind of peer cannot be started again';
      return false;
    }
    if (!ours && s.restarts >= this.#maxRestarts) {
      s.gaveUp = `it died ${s.restarts + 1} times (at most ${this.#maxRestarts} restarts per run)`;
      return false;
    }
    const restart = peer.restart;
    s.restarting = (async () => {
      if (!ours) s.restarts++;
      s.generation++;
      try {
        await restart.call(peer);
        return true;
      } catch (e) {
        s.gaveUp = `it could not be started again: ${e instanceof Error ? e.message : String(e)}`;
        return false;
      } finally {
        s.restarting = undefined;
      }
    })();
    return s.restarting;
  }

  /** Runs `fn` with `peer` shared with other such work (not while it is held alone). */
  shared<T>(peer: Peer, fn: () => Promise<T>): Promise<T> {
    return this.#state(peer).lock.run(false, fn);
  }

  /** Runs `fn` with `peer` alone (after the shared work on it ends; other work waits). */
  alone<T>(peer: Peer, fn: () => Promise<T>): Promise<T> {
    return this.#state(peer).lock.run(true, fn);
  }

  /** Restarts, the last death and why the peer was given up, if it was. Never throws. */
  health(peer: Peer): PeerHealth {
    const s = this.#state(peer);
    return {
      restarts: s.restarts,
      hangStops: s.hangStops,
      ...(s.died !== undefined ? { died: s.died } : {}),
      ...(s.gaveUp !== undefined ? { gaveUp: s.gaveUp } : {}),
    };
  }
}
