// One emulated user's walk through a transition table: which page comes next. Pure (the caller
// gives the random generator), so the same seed gives the same walk, and the stationary-mix test can
// run it 100,000 times without a web server.
//
// Semantics (../shared/spec/rubis.md, reproduced exactly):
// - Next state: draw u in [0, 1) and walk the destinations in file order, accumulating the current
//   state's column; the first destination whose cumulative sum exceeds u wins. A column summing to
//   more than 1 therefore never reaches its late rows; one summing to less than 1 "stays" with the
//   residual probability: the current page is requested again (a forward move to itself).
// - Back pops the previous state from the session's stack. A forward move into a state whose own
//   Back probability is 0 clears the stack first; every forward move then pushes the state being
//   left, so that a page that turns out empty can always go back to where it came from.
//   Back with an empty stack (only reachable through `back()` on a fresh session) goes Home.
// - End of Session, or `maxTransitions` requests in one session, ends the session; the next request
//   is Home of a new session (a new random user: the caller's business).
// Each stack entry carries a caller payload (the emulator keeps the page's URL there, so that Back
// re-requests the very page it returns to, as a browser's back button does).

import type { Rng } from '../../core/rng.ts';
import { INTERACTION_INDEX } from '../interactions.ts';
import { BACK, END, type TransitionTable } from './transitions.ts';

export const HOME = INTERACTION_INDEX.Home;

/** RUBiS ends a session after this many transitions at the latest. */
export const DEFAULT_MAX_TRANSITIONS = 1000;
/**
 * Deepest back stack kept (the oldest entry is dropped beyond it). Reconstruction: RUBiS's stack is
 * unbounded; with the shipped tables a depth of 64 has a probability far below 1e-30 per step.
 */
export const DEFAULT_MAX_STACK = 64;

export type StepKind = 'forward' | 'stay' | 'back' | 'new-session';

export interface Step<P> {
  /** The state to request next (index in INTERACTIONS). */
  state: number;
  kind: StepKind;
  /** For `back`: the payload stored when the state was left; undefined otherwise. */
  payload: P | undefined;
  /** For `new-session`: why the previous session ended. */
  endedBy?: 'end-of-session' | 'max-transitions';
}

export interface NavigatorOptions {
  maxTransitions?: number;
  maxStack?: number;
}

interface Entry<P> {
  state: number;
  payload: P | undefined;
}

export class Navigator<P = undefined> {
  private current = HOME;
  private stack: Entry<P>[] = [];
  /** Requests made in this session (the Home that opened it included). */
  private requests = 1;
  private readonly maxTransitions: number;
  private readonly maxStack: number;

  constructor(
    private readonly table: TransitionTable,
    private readonly rng: Rng,
    options: NavigatorOptions = {},
  ) {
    this.maxTransitions = options.maxTransitions ?? DEFAULT_MAX_TRANSITIONS;
    this.maxStack = options.maxStack ?? DEFAULT_MAX_STACK;
  }

  /** The state last returned (Home at the start of a session). */
  get state(): number {
    return this.current;
  }

  get stackDepth(): number {
    return this.stack.length;
  }

  /** Starts a new session at Home (the constructor leaves the navigator in this state). */
  restart(): void {
    this.current = HOME;
    this.stack = [];
    this.requests = 1;
  }

  /** Draws the next state from the table. `payload` describes the current page, for a later Back. */
  next(payload?: P): Step<P> {
    if (this.requests >= this.maxTransitions) return this.newSession('max-transitions');
    const column = this.table.prob[this.current]!;
    const u = this.rng.next();
    let cumulative = 0;
    let chosen = -1;
    for (let to = 0; to < column.length; to++) {
      cumulative += column[to]!;
      if (cumulative > u) {
        chosen = to;
        break;
      }
    }
    if (chosen === END) return this.newSession('end-of-session');
    if (chosen === BACK) return this.back();
    if (chosen < 0) return this.forward(this.current, payload, 'stay');
    return this.forward(chosen, payload, 'forward');
  }

  /** Goes back without a draw (the page was empty, or could not be built from the last page). */
  back(): Step<P> {
    const entry = this.stack.pop();
    this.requests++;
    if (!entry) {
      this.current = HOME;
      return { state: HOME, kind: 'back', payload: undefined };
    }
    this.current = entry.state;
    return { state: entry.state, kind: 'back', payload: entry.payload };
  }

  private forward(to: number, payload: P | undefined, kind: 'forward' | 'stay'): Step<P> {
    if (this.table.backProb[to] === 0) this.stack = [];
    this.stack.push({ state: this.current, payload });
    if (this.stack.length > this.maxStack) this.stack.shift();
    this.current = to;
    this.requests++;
    return { state: to, kind, payload: undefined };
  }

  private newSession(endedBy: 'end-of-session' | 'max-transitions'): Step<P> {
    this.restart();
    return { state: HOME, kind: 'new-session', payload: undefined, endedBy };
  }
}
