// The child side of children.ts: read the JSON config from argv, start serving, print
// `READY <info-json>` (or `FAILED <one line>`), and shut down cleanly on SIGTERM/SIGINT or when
// the parent goes away (stdin closes).

export interface RunningTier<I> {
  info: I;
  close(): Promise<void>;
}

export function runTier<C, I>(start: (config: C) => Promise<RunningTier<I>>): void {
  const raw = process.argv[2];
  let config: C;
  try {
    config = JSON.parse(raw ?? '') as C;
  } catch {
    process.stdout.write(`FAILED no JSON config argument\n`);
    process.exit(1);
  }
  let tier: RunningTier<I> | null = null;
  let closing = false;
  const shutdown = (code: number): void => {
    if (closing) return;
    closing = true;
    const done = (): never => process.exit(code);
    setTimeout(done, 3000).unref();
    void (tier ? tier.close() : Promise.resolve()).then(done, done);
  };
  process.once('SIGTERM', () => shutdown(0));
  process.once('SIGINT', () => shutdown(0));
  // The parent holds our stdin open for as long as it lives.
  process.stdin.on('end', () => shutdown(0));
  process.stdin.on('error', () => shutdown(0));
  process.stdin.resume();
  start(config).then(
    (t) => {
      tier = t;
      if (closing) void t.close();
      else process.stdout.write(`READY ${JSON.stringify(t.info)}\n`);
    },
    (err: unknown) => {
      const message = ((err as Error)?.message ?? String(err)).split('\n')[0];
      process.stdout.write(`FAILED ${message}\n`);
      process.exit(1);
    },
  );
}
