// Progress of a long run: on a TTY one line redrawn every second with a bar, the phase and the time
// left; otherwise a plain line at each phase change and at least every HEARTBEAT_MS within a phase
// (logs stay readable in CI, and a silent minute never looks like a hang).

export interface Progress {
  start(label: string, startMs: number, totalMs: number): void;
  update(phase: string): void;
  done(): void;
}

export const HEARTBEAT_MS = 5000;

export function createProgress(
  stream: NodeJS.WriteStream = process.stderr,
  now: () => number = Date.now,
): Progress {
  const tty = stream.isTTY === true;
  let label = '';
  let start = 0;
  let total = 1;
  let lastPhase = '';
  let drawn = false;
  let lastLine = -Infinity;
  return {
    start(l, s, t) {
      label = l;
      start = s;
      total = Math.max(1, t);
      lastPhase = '';
    },
    update(phase) {
      const elapsed = Math.max(0, now() - start);
      const left = Math.max(0, Math.round((total - elapsed) / 1000));
      if (tty) {
        const width = 30;
        const filled = Math.min(width, Math.round((elapsed / total) * width));
        const line = `${label} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${phase}, ${left} s left`;
        stream.write(`\r${line.padEnd(80)}`);
        drawn = true;
      } else if (phase !== lastPhase || now() - lastLine >= HEARTBEAT_MS) {
        stream.write(`${label}: ${phase} (${left} s left)\n`);
        lastLine = now();
      }
      lastPhase = phase;
    },
    done() {
      if (tty && drawn) stream.write('\n');
      drawn = false;
    },
  };
}
