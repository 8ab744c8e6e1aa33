// The child side of children.ts: read the JSON config from argv, start serving, print
// `READY <info-json>` (or `FAILED <one line>`), and shut down cleanly on SIGTERM/SIGINT or when
// the parent goes away (stdin closes). With the config argument `-`, the config is the first line
// of stdin instead: the remote stack passes configs that hold a password that way, since argv is
// visible to every user of the host.

export interface RunningTier<I> {
  info: I;
  close(): Promise<void>;
}

export function runTier<C, I>(start: (config: C) => Promise<RunningTier<I>>): void {
  if (process.argv[2] === '-') {
    let buf = '';
    const onData = (d: Buffer): void => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      process.stdin.off('data', onData);
      process.stdin.off('end', onEnd);
      serve(buf.slice(0, nl), start);
    };
    // The parent went away before sending a whole line: nothing to serve for.
    const onEnd = (): void => {
      process.stdout.write('FAILED stdin closed before the config line\n');
      process.exit(1);
    };
    process.stdin.on('data', onData);
    process.stdin.once('end', onEnd);
    return;
  }
  serve(process.argv[2], start);
}

function serve<C, I>(raw: string | undefined, start: (config: C) => Promise<RunningTier<I>>): void {
  let config: C;
  try {
    config = JSON.parse(raw ?? '') as C;
  } catch {
    process.stdout.write(`FAILED no JSON config (argument, or first line of stdin with "-")\n`);
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
