// The client emulator: N emulated users, each a session walking the transition table (navigator.ts)
// against the web tier. Per step: choose the next state, think, build the request from the previous
// page, send it, read the whole body, and publish the timing on the bus's `responsetime` topic,
// stamped at completion. Sessions start at Home as a random existing user and restart after End of
// Session (or 1000 transitions). A page that says "Sorry", a request that fails, or a page the
// previous one gives no parameters for, sends the user back (RUBiS's emulator did the same on
// "Sorry").

import http from 'node:http';
import { createRng, type Rng } from '../../core/rng.ts';
import type { Bus, ResponseTimeMessage } from '../../telemetry/bus.ts';
import { INTERACTIONS, interactionPath, type Interaction } from '../interactions.ts';
import { Navigator, type NavigatorOptions } from './navigator.ts';
import { readPage, type PageInfo } from './page.ts';
import { buildRequest, type SessionUser, type WorkloadLists } from './requests.ts';
import { DEFAULT_THINK, thinkTimeMs, type Phase, type ThinkTimeOptions } from './think.ts';
import type { TransitionTable } from './transitions.ts';

export interface PhaseDurations {
  upRampMs: number;
  runMs: number;
  downRampMs: number;
}

export interface EmulatorOptions {
  /** The web tier, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  table: TransitionTable;
  users: number;
  lists: WorkloadLists;
  bus: Bus;
  seed: number;
  /** Names this emulator in published messages (one per client host). */
  clientId?: string;
  think?: ThinkTimeOptions;
  phases: PhaseDurations;
  requestTimeoutMs?: number;
  navigator?: NavigatorOptions;
}

export interface EmulatorStats {
  requests: number;
  errors: number;
  sessions: number;
  /** Steps that went back because the page said Sorry or failed. */
  emptyBacks: number;
  /** Steps that went back because the previous page lacked the next page's parameters. */
  unbuildableBacks: number;
}

interface Fetched {
  status: number;
  body: string;
}

function fetchPage(agent: http.Agent, base: URL, path: string, timeoutMs: number): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: base.hostname, port: base.port, path, method: 'GET', agent, timeout: timeoutMs },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export class ClientEmulator {
  readonly stats: EmulatorStats = { requests: 0, errors: 0, sessions: 0, emptyBacks: 0, unbuildableBacks: 0 };
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly think: ThinkTimeOptions;
  private readonly clientId: string;
  private startedAt = 0;
  private endAt = 0;
  private stopped = false;
  private readonly sleepers = new Set<() => void>();
  private loops: Promise<void>[] = [];

  constructor(private readonly options: EmulatorOptions) {
    if (!Number.isInteger(options.users) || options.users < 1)
      throw new RangeError(`users must be >= 1, got ${options.users}`);
    this.base = new URL(options.baseUrl);
    this.agent = new http.Agent({ keepAlive: true, maxSockets: Infinity });
    this.think = options.think ?? DEFAULT_THINK;
    this.clientId = options.clientId ?? 'client-0';
  }

  /** Wall time (epoch ms) the emulation started; phase boundaries follow from it. */
  get startTime(): number {
    return this.startedAt;
  }

  phaseAt(t: number): Phase | null {
    const { upRampMs, runMs, downRampMs } = this.options.phases;
    const dt = t - this.startedAt;
    if (dt < upRampMs) return 'up-ramp';
    if (dt < upRampMs + runMs) return 'run';
    if (dt < upRampMs + runMs + downRampMs) return 'down-ramp';
    return null;
  }

  /** Starts every user; resolves when all have finished (end of the last phase, or stop()). */
  run(): Promise<EmulatorStats> {
    const { upRampMs, runMs, downRampMs } = this.options.phases;
    this.startedAt = Date.now();
    this.endAt = this.startedAt + upRampMs + runMs + downRampMs;
    const root = createRng(this.options.seed);
    for (let u = 0; u < this.options.users; u++) {
      this.loops.push(this.userLoop(u, root.fork(`user-${u}`)));
    }
    return Promise.all(this.loops).then(() => {
      this.agent.destroy();
      return this.stats;
    });
  }

  /** Ends every user at its next step (requests in flight complete). */
  stop(): void {
    this.stopped = true;
    for (const wake of [...this.sleepers]) wake();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, ms));
      this.sleepers.add(wake);
    });
  }

  private newUser(rng: Rng): SessionUser {
    const id = 1 + rng.int(this.options.lists.users);
    return { id, nickname: `user${id}`, password: `password${id}` };
  }

  private async userLoop(index: number, rng: Rng): Promise<void> {
    const { table } = this.options;
    const nav = new Navigator<string>(table, rng.fork('navigation'), this.options.navigator);
    const paramRng = rng.fork('parameters');
    const thinkRng = rng.fork('think');
    let user = this.newUser(paramRng);
    this.stats.sessions++;
    let state: Interaction = 'Home';
    let path: string = interactionPath('Home');
    let page: PageInfo | null = null;
    let counter = 0;
    // The first request of each user also waits a think time, so that users do not all arrive at once.
    let thinkState = nav.state;
    for (;;) {
      const phase = this.phaseAt(Date.now());
      if (this.stopped || phase === null) return;
      await this.sleep(
        Math.min(thinkTimeMs(this.think, thinkRng, table, thinkState, phase), this.endAt - Date.now()),
      );
      if (this.stopped || Date.now() >= this.endAt) return;

      const result = await this.request(state, path);
      page = result.ok ? readPage(result.body) : null;

      // Choose what comes next; go back when this page was empty or failed, or when the next page
      // cannot be built from this one.
      thinkState = nav.state;
      let step = page === null || page.sorry ? nav.back() : nav.next(path);
      if (page === null || page.sorry) this.stats.emptyBacks++;
      for (let attempt = 0; ; attempt++) {
        if (step.kind === 'new-session') {
          user = this.newUser(paramRng);
          this.stats.sessions++;
          page = null;
        }
        const next = INTERACTIONS[step.state]!;
        const built =
          step.kind === 'back'
            ? (step.payload ?? interactionPath('Home'))
            : buildRequest(next, {
                page,
                user,
                lists: this.options.lists,
                rng: paramRng,
                uniqueTag: `${this.clientId}-${index}-${++counter}`,
              });
        if (built !== null) {
          state = next;
          path = built;
          break;
        }
        this.stats.unbuildableBacks++;
        // Nothing to build the page from: go back; after a few tries, start a new session.
        step =
          attempt < 5
            ? nav.back()
            : (nav.restart(), { state: 0, kind: 'new-session' as const, payload: undefined });
      }
    }
  }

  private async request(interaction: Interaction, path: string): Promise<{ ok: boolean; body: string }> {
    const start = Date.now();
    const t0 = performance.now();
    let status = 0;
    let body = '';
    try {
      const r = await fetchPage(this.agent, this.base, path, this.options.requestTimeoutMs ?? 30_000);
      status = r.status;
      body = r.body;
    } catch {
      status = 0;
    }
    const latencyMs = performance.now() - t0;
    const ok = status === 200;
    this.stats.requests++;
    if (!ok) this.stats.errors++;
    const msg: ResponseTimeMessage = {
      start,
      end: Date.now(),
      latencyMs,
      interaction,
      ok,
      status,
      client: this.clientId,
    };
    this.options.bus.publish('responsetime', msg);
    return { ok, body };
  }
}
