// `npm run live`: the trained model against the running stack, with the wall clock.
//
//   model (model.ts) --> stack session (records the run as a dataset, like `foreshock record`)
//   telemetry: Kafka, its own consumer group (local) or the in-process bus (embedded)
//     --> LiveEngine (engine.ts): alarms, localizations, remedy choices
//     --> with --act, the actuator (actuator.ts) performs them on allowed hosts, then validation:
//         after `validateAfterS`, if the host still alarms or the SLO is still violated, the action
//         is rolled back (when it can be) and the remedy's next choice, if any, is tried
//   status page (status-server.ts, server-sent events) on 127.0.0.1
//   end (--duration, SIGINT or SIGTERM): revert an injected fault, finish the recording, write the
//     dataset (phases, fault, the actions performed), live.json (every event with its measured
//     times) and results.json (the recorded run replayed through the same model), stop the stack.
//
// --inject <experiment> runs that experiment's fault on its target after --inject-at seconds, so a
// live run has a ground truth: lead time before the SLO violation, localization and fix times.

import { mkdirSync, existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ActionRequest, Ranking, Remedy } from '../core/algorithm.ts';
import type { ActionRecord, FaultRecord, Phase } from '../core/dataset.ts';
import { UserError } from '../core/errors.ts';
import { quantileSorted as quantile } from '../core/stats.ts';
import { atomicWrite, readDataset, writeDataset } from '../data/dataset-io.ts';
import { createRuleRemedy } from '../algorithms/baselines/rule-remedy.ts';
import { FaultSlot } from '../runner/experiment/fault-slot.ts';
import type { ExperimentSpec } from '../runner/experiment/spec.ts';
import { DEFAULT_PIPELINE, runReplayJob } from '../runner/replay-job.ts';
import { startSession, type SessionStack } from '../stack/index.ts';
import type { StackSession } from '../stack/session.ts';
import type { RemoteStackSpec } from '../stack/remote-spec.ts';
import type { AggregateMessage, StatsMessage } from '../telemetry/bus.ts';
import { startLiveConsumer, type LiveConsumer } from '../telemetry/kafka/live-consumer.ts';
import { defaultDataDir, type Mix } from '../workload/data-files.ts';
import { registerShutdownHook } from '../workload/tiers/children.ts';
import { VERSION } from '../version.ts';
import { performAction, type Performed } from './actuator.ts';
import { LiveEngine, type LiveAlarm, type LiveLocalization } from './engine.ts';
import { chooseModel, trainModel, type ModelChoice } from './model.ts';
import { judgeAction } from './validation.ts';
import { startStatusServer, type StatusServer } from './status-server.ts';

export interface LiveOptions {
  stack: SessionStack;
  model: string;
  localizer?: string;
  configs?: Record<string, unknown>;
  train: string[];
  reportsDir: string;
  act: boolean;
  /** Hosts live mode may act on (default: every host but kafka and analysis). */
  allow: string[];
  /** Seconds to run; null = until SIGINT/SIGTERM. */
  durationS: number | null;
  users: number;
  mix: Mix;
  scale: number;
  sloMs: number;
  seed: number;
  pendingWindowS: number;
  minDurationS: number;
  /** Seconds after the clients start during which alarms trigger nothing (the stack settles). */
  warmupS: number;
  /** Seconds after an action completes before its effect is judged. */
  validateAfterS: number;
  out: string;
  /** Status page port on 127.0.0.1 (0 = a free one). */
  port: number;
  stateDir?: string;
  /** The machines of the remote and aws stacks. */
  remote?: RemoteStackSpec;
  inject?: { spec: ExperimentSpec; atS: number };
  log: (line: string) => void;
}

export interface LiveActionRecord {
  type: string;
  host: string;
  reason: string;
  /** The localization it answers (its wall time). */
  localizedAt: number;
  state: 'planned' | 'not-allowed' | 'busy' | Performed['state'];
  detail: string;
  requested: number | null;
  completed: number | null;
  /** After validation: kept, rolled back, or null (not judged: dry run, skipped, run ended). */
  outcome: 'kept' | 'rolled-back' | 'not-helping' | null;
  judgedAt: number | null;
}

export interface LiveSummary {
  out: string;
  samples: number;
  duplicates: number;
  alarms: number;
  localizations: number;
  actions: number;
  detectionLatencyMs: { p50: number | null; p99: number | null; max: number | null };
  deliveryLatencyMs: { p50: number | null; p99: number | null };
  leadTimeS: number | null;
  /** From the fault's start to the first localization that names the fault's host first. */
  localizationTimeS: number | null;
  fixTimeS: number | null;
  violationSeconds: number;
  statusUrl: string;
}

const TICK_MS = 200;
/** Hosts that carry the harness itself: acting on them would cut the branch live mode sits on. */
const NEVER_ALLOW = ['kafka', 'analysis', 'client'];

/**
 * The harness's own hosts, as every stack marks them `harness: true` in its manifest (embedded:
 * client; local: analysis, kafka, client; remote: the clients, kafka, analysis): live mode neither
 * feeds them to the model nor alarms on them, as replay does not (scoring rules v2).
 */
export function isHarnessHost(host: string): boolean {
  return NEVER_ALLOW.includes(host) || /^client-\d+$/.test(host);
}

export async function runLive(o: LiveOptions): Promise<LiveSummary> {
  checkOptions(o);
  const startedAt = Date.now();
  const choice = chooseModel({
    model: o.model,
    reportsDir: o.reportsDir,
    ...(o.localizer !== undefined ? { localizer: o.localizer } : {}),
    ...(o.configs ? { configs: o.configs } : {}),
  });
  const model = trainModel(choice, o.train, o.seed);
  o.log(`live: model ${describeChoice(choice)} (from ${choice.source})`);
  o.log(`live: trained on ${model.trainingSamples} samples from ${o.train.length} dataset(s)`);
  const remedy: Remedy = model.predictor.remedy?.() ?? model.localizer?.remedy?.() ?? createRuleRemedy();
  const engine = new LiveEngine(model.predictor, model.localizer, remedy, {
    metrics: model.metrics,
    hosts: model.hosts,
    edges: model.edges,
    sloMs: o.sloMs,
    minDurationS: o.minDurationS,
    pendingWindowMs: o.pendingWindowS * 1000,
    triggerWaitMs: 1500,
    historyMs: Math.max(model.localizer?.lookbackMs ?? 0, 60_000) + 5000,
  });

  mkdirSync(o.out, { recursive: true });
  const datasetDir = path.join(o.out, 'dataset');
  if (existsSync(datasetDir) && readdirSync(datasetDir).length > 0)
    throw new UserError(`${datasetDir} already holds a dataset (use another --out)`);

  // Everything recorded while the run goes on (the outputs are built from these).
  const alarms: LiveAlarm[] = [];
  const localizations: (LiveLocalization & { at: number })[] = [];
  const actions: LiveActionRecord[] = [];
  const delivery: number[] = [];
  const onsets: number[] = [];
  let violationSeconds = 0;
  let fault: FaultRecord | null = null;
  let faultPid: number | null = null;

  o.log(`live: bringing up the ${o.stack} stack ...`);
  const session = await startSession({
    stack: o.stack,
    out: datasetDir,
    users: o.users,
    mix: o.mix,
    scale: o.scale,
    seed: o.seed,
    sloMs: o.sloMs,
    dataDir: defaultDataDir(),
    ...(o.stateDir ? { stateDir: o.stateDir } : {}),
    ...(o.remote ? { remote: o.remote } : {}),
    // An injected experiment's CPU caps (embedded cpuhog): without them its fault has no effect.
    ...(o.inject && Object.keys(o.inject.spec.caps).length > 0 ? { cpuCaps: o.inject.spec.caps } : {}),
    log: o.log,
  });
  const unknown = model.hosts.filter((h) => !session.hosts.some((s) => s.host === h));
  if (unknown.length === model.hosts.length)
    o.log(`live: warning: the model knows hosts ${model.hosts.join(', ')}, none of which is in this stack`);

  let status: StatusServer | null = null;
  let consumer: LiveConsumer | null = null;
  const unsubscribe: (() => void)[] = [];
  const timers: NodeJS.Timeout[] = [];
  const busy = new Set<string>();
  const slot = new FaultSlot(o.log);
  const revert = async (): Promise<void> => {
    if (!(await slot.revert())) return;
    if (fault) fault.end = Math.min(fault.end, Date.now());
    o.log('live: fault reverted');
  };

  let stopRequested: () => void = () => undefined;
  const stopped = new Promise<void>((resolve) => (stopRequested = resolve));
  // SIGINT/SIGTERM: end the run cleanly (outputs written, stack stopped), then children.ts exits
  // (130/143); it waits for this hook up to its grace (15 s).
  let markEnded: () => void = () => undefined;
  const ended = new Promise<void>((resolve) => (markEnded = resolve));
  const unhook = registerShutdownHook(async () => {
    o.log('live: signal received, shutting down');
    stopRequested();
    await ended;
  });

  const publish = (ev: Parameters<StatusServer['publish']>[0]): void => status?.publish(ev);

  try {
    status = await startStatusServer({
      port: o.port,
      title: `foreshock live: ${describeChoice(choice)}`,
      model: describeChoice(choice),
      stack: o.stack,
      act: o.act,
      startedAt,
    });
    o.log(`live: status page ${status.url}`);

    const onStats = (msg: StatsMessage): void => {
      const receivedAt = Date.now();
      if (typeof msg?.host !== 'string' || typeof msg.time !== 'number') return;
      const valuesOf = (): Record<string, number | null> =>
        Object.fromEntries(
          model.metrics.map((m) => [m, typeof msg[m] === 'number' ? (msg[m] as number) : null]),
        );
      // The harness's hosts are shown on the status page, never fed to the model.
      if (isHarnessHost(msg.host))
        return void publish({ type: 'metrics', time: msg.time, host: msg.host, values: valuesOf() });
      const r = engine.onStats(msg, receivedAt);
      if (!r.accepted) return;
      delivery.push(receivedAt - msg.time);
      publish({ type: 'metrics', time: r.sample!.time, host: msg.host, values: valuesOf() });
      if (r.alarm) {
        const raised = Date.now();
        const a = { ...r.alarm, raisedAt: raised };
        alarms.push(a);
        publish({
          type: 'alarm',
          time: a.time,
          host: a.host,
          score: a.score,
          detectedAt: raised,
          latencyMs: raised - a.sampledAt,
        });
      }
    };
    const onAggregate = (row: AggregateMessage): void => {
      if (typeof row?.timestamp !== 'number') return;
      const s = engine.onAggregate(row);
      if (s.violated) violationSeconds++;
      publish({
        type: 'slo',
        time: row.timestamp,
        count: row.count,
        mean: row.mean,
        violated: s.violated,
        thresholdMs: o.sloMs,
      });
      if (s.onset !== null) {
        onsets.push(s.onset);
        o.log(`live: SLO-violation onset at ${iso(s.onset)}`);
        engine.triggerOnSlo(s.onset, Date.now());
      }
    };

    if (session.telemetry.kind === 'kafka') {
      consumer = await startLiveConsumer({
        brokers: session.telemetry.brokers,
        // Through SSH tunnels (the aws/remote stacks) a connection takes a channel open first.
        ...(session.telemetry.socketFactory
          ? { socketFactory: session.telemetry.socketFactory, connectionTimeoutMs: 10_000 }
          : {}),
        groupId: `foreshock-live-${startedAt.toString(36)}`,
        topics: ['stats', 'aggregate'],
        onMessage: (topic, value) => {
          if (topic === 'stats') onStats(value as StatsMessage);
          else if (topic === 'aggregate') onAggregate(value as AggregateMessage);
        },
        onState: (state, detail) => {
          if (state !== 'running') o.log(`live: kafka consumer ${state}${detail ? `: ${detail}` : ''}`);
          publish({ type: 'info', time: Date.now(), message: `kafka consumer ${state}` });
        },
      });
      await consumer.ready();
    } else {
      unsubscribe.push(session.telemetry.bus.subscribe('stats', onStats));
      unsubscribe.push(session.telemetry.bus.subscribe('aggregate', onAggregate));
    }

    timers.push(
      setInterval(() => {
        for (const loc of engine.tick(Date.now())) handleLocalization(loc);
      }, TICK_MS),
    );

    engine.holdTriggersUntil(Date.now() + o.warmupS * 1000);
    const clients = session.runClients({
      upRampMs: 0,
      runMs: (o.durationS ?? 365 * 86_400) * 1000,
      downRampMs: 0,
    });
    clients.catch((err: unknown) => {
      o.log(`live: clients failed: ${(err as Error).message}`);
      stopRequested();
    });
    if (o.durationS !== null) timers.push(setTimeout(stopRequested, o.durationS * 1000));
    o.log(
      `live: running (${o.act ? `acting on ${o.allow.join(', ') || 'no host'}` : 'dry run: actions are only printed'})` +
        (o.durationS !== null ? ` for ${o.durationS} s` : ' until SIGINT/SIGTERM'),
    );
    if (o.inject) timers.push(setTimeout(() => void inject(o.inject!.spec), o.inject.atS * 1000));

    await stopped;
    return await shutdown();
  } finally {
    for (const t of timers) clearTimeout(t);
    await revert();
    for (const u of unsubscribe) u();
    await consumer?.stop().catch(() => undefined);
    await status?.close().catch(() => undefined);
    await session.stop();
    unhook();
    markEnded();
  }

  async function inject(spec: ExperimentSpec): Promise<void> {
    if (!spec.fault) return;
    try {
      const r = await slot.inject(
        session,
        { ...spec, fault: spec.fault },
        `live-${spec.name}-${Date.now().toString(36)}`,
      );
      faultPid = r.active.pid;
      fault = r.record;
      o.log(
        `live: injected ${spec.fault.type} on ${spec.target} (pid ${r.active.pid}) for ${spec.phases.faultS} s`,
      );
      publish({ type: 'info', time: Date.now(), message: `injected ${spec.fault.type} on ${spec.target}` });
      timers.push(
        setTimeout(() => {
          if (slot.current === r.active) void revert();
        }, spec.phases.faultS * 1000),
      );
    } catch (err) {
      o.log(`live: injection failed: ${(err as Error).message}`);
    }
  }

  function handleLocalization(loc: LiveLocalization): void {
    const at = Date.now();
    localizations.push({ ...loc, at });
    const top = loc.record.ranking[0];
    o.log(
      `live: localized (${loc.record.trigger.kind} at ${iso(loc.record.trigger.time)}): ` +
        (top ? `${top.host}${top.metric ? `/${top.metric}` : ''} first` : 'nothing ranked'),
    );
    publish({
      type: 'localization',
      time: loc.record.time,
      trigger: `${loc.record.trigger.kind}${loc.record.trigger.host ? ` on ${loc.record.trigger.host}` : ''}`,
      ranking: loc.record.ranking.slice(0, 5),
    });
    if (loc.request) void act(loc.request, loc.ranking, [], at);
  }

  async function act(request: ActionRequest, ranking: Ranking, tried: ActionRequest[], localizedAt: number) {
    const metric = ranking.entries.find((e) => e.host === request.host)?.metric ?? null;
    const rec: LiveActionRecord = {
      type: request.type,
      host: request.host,
      reason: request.reason,
      localizedAt,
      state: 'planned',
      detail: '',
      requested: null,
      completed: null,
      outcome: null,
      judgedAt: null,
    };
    actions.push(rec);
    const say = (state: LiveActionRecord['state'], detail: string, durationMs?: number): void => {
      rec.state = state;
      rec.detail = detail;
      o.log(`live: action ${request.type} on ${request.host}: ${state}${detail ? ` (${detail})` : ''}`);
      publish({
        type: 'action',
        time: Date.now(),
        action: request.type,
        host: request.host,
        state: state === 'not-allowed' || state === 'busy' ? 'skipped' : state,
        detail,
        ...(durationMs !== undefined ? { durationMs } : {}),
      });
    };
    if (!o.act)
      return say('planned', `dry run: would ${request.type} ${request.host} because ${request.reason}`);
    if (!o.allow.includes(request.host))
      return say(
        'not-allowed',
        `${request.host} is not in the allow-list (${o.allow.join(', ') || 'empty'})`,
      );
    if (busy.has(request.host)) return say('busy', `an action on ${request.host} is still being judged`);
    busy.add(request.host);
    rec.requested = Date.now();
    o.log(`live: action ${request.type} on ${request.host}: performing (${request.reason})`);
    let performed: Performed;
    try {
      performed = await performAction(session as StackSession, request, metric);
    } catch (err) {
      performed = { state: 'failed', detail: (err as Error).message, rollback: null };
    }
    rec.completed = Date.now();
    say(performed.state, performed.detail, rec.completed - rec.requested);
    if (performed.state !== 'done') {
      busy.delete(request.host);
      return;
    }
    // Validation: judge once the action had time to work.
    timers.push(
      setTimeout(() => {
        const v = judgeAction(
          {
            hostAlarms: alarms.filter((a) => a.host === request.host).map((a) => a.raisedAt),
            sloViolated: engine.sloViolatedNow(),
            now: Date.now(),
            recentMs: 5000,
          },
          remedy,
          ranking,
          [...tried, request],
          performed.rollback !== null,
        );
        rec.judgedAt = Date.now();
        void (async () => {
          if (v.rollback)
            await performed.rollback!().catch((err: unknown) =>
              o.log(`live: rollback failed: ${(err as Error).message}`),
            );
          rec.outcome = v.outcome;
          const what = {
            kept: 'recovered, kept',
            'rolled-back': 'did not help, rolled back',
            'not-helping': 'did not help (nothing to roll back)',
          }[v.outcome];
          say('done', `${performed.detail}; ${what}`);
          busy.delete(request.host);
          if (v.next) void act(v.next, ranking, [...tried, request], localizedAt);
        })();
      }, o.validateAfterS * 1000),
    );
  }

  async function shutdown(): Promise<LiveSummary> {
    for (const t of timers) clearTimeout(t);
    await revert();
    await consumer?.stop().catch(() => undefined);
    consumer = null;
    const summary = await session.finish();
    o.log(`live: recorded ${summary.seconds} s`);
    const ds = readDataset(datasetDir);
    const f = fault as FaultRecord | null;
    const phases: Phase[] = f
      ? [
          { name: 'normal', start: ds.manifest.start, end: f.start },
          { name: 'fault', start: f.start, end: f.end },
          { name: 'recovery', start: f.end, end: Math.max(f.end, ds.manifest.end) },
        ]
      : [{ name: 'control', start: ds.manifest.start, end: ds.manifest.end }];
    ds.manifest.phases = phases.map((p) => ({ ...p, start: Math.round(p.start), end: Math.round(p.end) }));
    ds.manifest.faults = f ? [f] : [];
    ds.manifest.actions = actions
      .filter((a) => a.state === 'done' && a.requested !== null && a.completed !== null)
      .map((a): ActionRecord => ({
        type: a.type,
        host: a.host,
        requested: a.requested!,
        completed: a.completed!,
      }));
    ds.manifest.seed = o.seed;
    ds.manifest.source = {
      kind: 'recording',
      detail: `live run on the ${o.stack} stack (${describeChoice(choice)})`,
    };
    writeDataset(datasetDir, ds);

    const result = measurements();
    atomicWrite(
      path.join(o.out, 'live.json'),
      `${JSON.stringify(
        {
          format: 'foreshock-live/1',
          foreshock: VERSION,
          stack: o.stack,
          model: { ...choice, configs: model.configs, train: o.train },
          act: o.act,
          allow: o.allow,
          startedAt,
          fault: f,
          faultPid,
          counters: engine.counters,
          dropped: engine.dropped,
          summary: result,
          alarms,
          localizations: localizations.map((l) => ({ ...l.record, at: l.at, request: l.request })),
          actions,
          sloOnsets: onsets,
        },
        null,
        2,
      )}\n`,
    );
    // The live run replays and scores like a recorded one: same model, same training data.
    const trainDs = o.train.length === 1 ? readDataset(o.train[0]!) : null;
    const names = [choice.predictor.algorithm, ...(choice.localizer ? [choice.localizer.algorithm] : [])];
    const replayed = runReplayJob(readDataset(datasetDir), trainDs, {
      algorithms: names,
      configs: model.configs,
      // The live pipeline's own debounce (its --pending-window), not a scoring parameter.
      pipeline: { ...DEFAULT_PIPELINE, localizeDebounceS: o.pendingWindowS },
      training: {
        data: model.training,
        source: `live mode's training: ${o.train.length} dataset(s), normal phases (${model.trainingSamples} samples)`,
      },
    });
    atomicWrite(path.join(o.out, 'results.json'), `${JSON.stringify(replayed, null, 2)}\n`);
    o.log(`live: wrote ${datasetDir}, ${path.join(o.out, 'live.json')}, ${path.join(o.out, 'results.json')}`);
    return result;
  }

  function measurements(): LiveSummary {
    const det = alarms.map((a) => a.raisedAt - a.sampledAt).sort((a, b) => a - b);
    const del = [...delivery].sort((a, b) => a - b);
    const f = fault as FaultRecord | null;
    const firstAlarm = f ? alarms.find((a) => a.host === f.host && a.time >= f.start) : undefined;
    const onset = f ? onsets.find((t) => t >= f.start) : undefined;
    const loc = f
      ? localizations.find((l) => l.at >= f.start && l.record.ranking[0]?.host === f.host)
      : undefined;
    const fix = actions.find(
      (a) => a.state === 'done' && a.completed !== null && (!f || a.requested! >= f.start),
    );
    return {
      out: o.out,
      samples: engine.counters.samples,
      duplicates: engine.counters.duplicates,
      alarms: alarms.length,
      localizations: localizations.length,
      actions: actions.length,
      detectionLatencyMs: {
        p50: det.length ? quantile(det, 0.5) : null,
        p99: det.length ? quantile(det, 0.99) : null,
        max: det.length ? det[det.length - 1]! : null,
      },
      deliveryLatencyMs: {
        p50: del.length ? quantile(del, 0.5) : null,
        p99: del.length ? quantile(del, 0.99) : null,
      },
      leadTimeS: firstAlarm && onset !== undefined ? (onset - firstAlarm.time) / 1000 : null,
      localizationTimeS: loc && f ? (loc.at - f.start) / 1000 : null,
      fixTimeS: fix ? (fix.completed! - fix.requested!) / 1000 : null,
      violationSeconds,
      statusUrl: status?.origin ?? '',
    };
  }
}

function checkOptions(o: LiveOptions): void {
  if (o.durationS !== null && !(Number.isFinite(o.durationS) && o.durationS > 0))
    throw new UserError(`--duration must be a positive number of seconds, got ${o.durationS}`);
  const bad = o.allow.filter((h) => NEVER_ALLOW.includes(h));
  if (bad.length > 0)
    throw new UserError(
      `--allow: ${bad.join(', ')} runs the harness or the load generator (Kafka, the recorder, the clients); not allowed`,
    );
  if (!(o.warmupS >= 0)) throw new UserError(`--warmup must be >= 0, got ${o.warmupS}`);
  if (!(o.validateAfterS >= 0)) throw new UserError(`--validate-after must be >= 0, got ${o.validateAfterS}`);
  if (o.inject && !(o.inject.atS >= 0)) throw new UserError(`--inject-at must be >= 0, got ${o.inject.atS}`);
}

/** The service hosts: not the client (the load generator) nor the harness's own hosts. */
export function defaultAllowList(): string[] {
  return ['web', 'db'];
}

function describeChoice(c: ModelChoice): string {
  return `${c.predictor.algorithm} + ${c.localizer ? c.localizer.algorithm : 'its own cause inference'}`;
}

function iso(t: number): string {
  return new Date(t).toISOString();
}
