// A local moto server for the AWS tests (never real AWS): whether moto_server is on PATH (with a
// one-line skip warning), the fake credentials, and a server started on a free loopback port with
// the fake credentials and its endpoint set in this test process only (restored by stop()).
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';

/** Whether an executable `cmd` is on PATH. */
export function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, cmd), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** A TCP port free on 127.0.0.1 at the time of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Whether moto_server is on PATH; when not, warns (one line) that `what` is skipped. */
export function haveMoto(what: string): boolean {
  const have = onPath('moto_server');
  if (!have) console.warn(`moto_server is not on PATH: skipping ${what}`);
  return have;
}

/** Fake credentials and region: nothing made with them can sign a real AWS request. */
export const FAKE_ENV = {
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  AWS_SESSION_TOKEN: 'testing',
  AWS_REGION: 'us-east-1',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

/** The environment for a CLI child process talking to moto at `endpoint`. */
export function motoCliEnv(endpoint: string): Record<string, string> {
  return { ...FAKE_ENV, AWS_ENDPOINT_URL: endpoint };
}

/**
 * moto_server on a free port of 127.0.0.1. start() sets the fake credentials and the endpoint in
 * process.env (so even a client made without `endpoint` cannot reach AWS), spawns the server and
 * waits up to 60 s for it to answer; stop() kills it and restores the environment, and is safe to
 * call after a start() that failed part way.
 */
export class MotoServer {
  endpoint = '';
  private proc: ChildProcess | undefined;
  private readonly savedEnv: Record<string, string | undefined> = {};

  async start(): Promise<string> {
    const port = await freePort();
    this.endpoint = `http://127.0.0.1:${port}`;
    this.setEnv({
      ...FAKE_ENV,
      AWS_ENDPOINT_URL: this.endpoint,
      AWS_PROFILE: undefined,
      AWS_CONFIG_FILE: '/dev/null',
    });
    this.proc = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        if ((await fetch(`${this.endpoint}/moto-api/`)).status < 500) break;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error('moto_server did not answer within 60 s');
      await new Promise((r) => setTimeout(r, 200));
    }
    return this.endpoint;
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc && proc.exitCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    for (const [k, v] of Object.entries(this.savedEnv)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }

  private setEnv(vars: Record<string, string | undefined>): void {
    for (const [k, v] of Object.entries(vars)) {
      if (!(k in this.savedEnv)) this.savedEnv[k] = process.env[k];
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}
