// The wire protocol between the web tier and the embedded stack's database tier: newline-delimited
// JSON over one TCP connection (loopback locally; another host in the testbed). Requests carry an id;
// the server answers in order, each answer naming the request's id, so several requests can be in
// flight on one connection. Only statements from the catalogue can be named: the database tier
// never runs SQL text it receives.
//
//   -> {"id":1,"op":"query","name":"itemById","params":[42]}
//   <- {"id":1,"rows":[{...}]}
//   -> {"id":2,"op":"batch","steps":[{"name":"insertBid","params":[...]},...]}
//   <- {"id":2,"batch":{"ok":true,"results":[{"changes":1,"insertId":7}]}}
//   <- {"id":3,"error":{"code":"duplicate","message":"..."}}

import net from 'node:net';
import { isStatementName, type StatementName } from './statements.ts';
import {
  DbError,
  type BatchResult,
  type BatchStep,
  type Executor,
  type Row,
  type RunResult,
  type SqlValue,
} from './types.ts';

export type DbRequest =
  | { id: number; op: 'query' | 'run'; name: StatementName; params: SqlValue[] }
  | { id: number; op: 'batch'; steps: BatchStep[] }
  | { id: number; op: 'ping' };

/** A request without its id (the client assigns ids). */
export type DbRequestBody = DbRequest extends infer R ? (R extends DbRequest ? Omit<R, 'id'> : never) : never;

export type DbResponse =
  | { id: number; rows: Row[] }
  | { id: number; result: RunResult }
  | { id: number; batch: BatchResult }
  | { id: number; pong: true }
  | { id: number; error: { code: DbError['code']; message: string } };

/** The synchronous operations the database tier serves (SqliteExecutor has them). */
export interface SyncBackend {
  querySync(name: StatementName, params: SqlValue[]): Row[];
  runSync(name: StatementName, params: SqlValue[]): RunResult;
  batchSync(steps: BatchStep[]): BatchResult;
}

function validParams(p: unknown): p is SqlValue[] {
  return Array.isArray(p) && p.every((v) => v === null || typeof v === 'string' || typeof v === 'number');
}

/** Answers one request line. Never throws: every failure becomes an error response. */
export function handleRequest(backend: SyncBackend, line: string): DbResponse {
  let req: DbRequest;
  try {
    req = JSON.parse(line) as DbRequest;
  } catch {
    return { id: -1, error: { code: 'failed', message: 'malformed request (not JSON)' } };
  }
  const id = typeof req?.id === 'number' ? req.id : -1;
  try {
    switch (req.op) {
      case 'ping':
        return { id, pong: true };
      case 'query':
      case 'run':
        if (!isStatementName(req.name) || !validParams(req.params)) {
          return {
            id,
            error: { code: 'failed', message: `bad ${req.op} request for "${String(req.name)}"` },
          };
        }
        return req.op === 'query'
          ? { id, rows: backend.querySync(req.name, req.params) }
          : { id, result: backend.runSync(req.name, req.params) };
      case 'batch':
        if (
          !Array.isArray(req.steps) ||
          !req.steps.every((s) => isStatementName(s?.name) && validParams(s.params))
        ) {
          return { id, error: { code: 'failed', message: 'bad batch request' } };
        }
        return { id, batch: backend.batchSync(req.steps) };
      default:
        return {
          id,
          error: { code: 'failed', message: `unknown op "${String((req as { op?: unknown }).op)}"` },
        };
    }
  } catch (err) {
    const code = err instanceof DbError ? err.code : 'failed';
    return { id, error: { code, message: (err as Error).message ?? String(err) } };
  }
}

export interface DatabaseServer {
  port: number;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/** Serves the protocol on host:port (port 0: the OS picks); resolves once listening. */
export async function serveDatabase(
  backend: SyncBackend,
  host: string,
  port: number,
): Promise<DatabaseServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.setNoDelay(true);
    let pending = '';
    socket.on('data', (data) => {
      pending += data.toString('utf8');
      let nl: number;
      let out = '';
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl);
        pending = pending.slice(nl + 1);
        if (line.trim() !== '') out += `${JSON.stringify(handleRequest(backend, line))}\n`;
      }
      if (out) socket.write(out);
    });
    socket.on('error', () => socket.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

interface Pending {
  resolve: (r: DbResponse) => void;
  reject: (e: Error) => void;
}

/** The web tier's side: an Executor that sends statements to the database tier. */
export class RemoteExecutor implements Executor {
  readonly description: string;
  private socket: net.Socket | null = null;
  private connecting: Promise<net.Socket> | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private buffer = '';
  private closed = false;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly options: { timeoutMs?: number } = {},
  ) {
    this.description = `sqlite database tier at ${host}:${port}`;
  }

  private connect(): Promise<net.Socket> {
    if (this.socket) return Promise.resolve(this.socket);
    if (this.connecting) return this.connecting;
    this.connecting = new Promise<net.Socket>((resolve, reject) => {
      const socket = net.connect({ host: this.host, port: this.port });
      socket.setNoDelay(true);
      const fail = (err: Error): void => {
        this.connecting = null;
        reject(
          new DbError(
            'unavailable',
            `${this.description}: unreachable (${(err as NodeJS.ErrnoException).code ?? err.message})`,
          ),
        );
      };
      socket.once('error', fail);
      socket.once('connect', () => {
        socket.off('error', fail);
        this.socket = socket;
        this.connecting = null;
        socket.on('data', (d) => this.onData(d));
        socket.on('error', () => socket.destroy());
        socket.on('close', () => this.onClose(socket));
        resolve(socket);
      });
    });
    return this.connecting;
  }

  private onData(data: Buffer): void {
    this.buffer += data.toString('utf8');
    let nl: number;
    while ((nl = this.buffer.indexOf('\n')) >= 0) {
      const line = this.buffer.slice(0, nl);
      this.buffer = this.buffer.slice(nl + 1);
      let res: DbResponse;
      try {
        res = JSON.parse(line) as DbResponse;
      } catch {
        continue;
      }
      const p = this.pending.get(res.id);
      if (p) {
        this.pending.delete(res.id);
        p.resolve(res);
      }
    }
  }

  private onClose(socket: net.Socket): void {
    if (this.socket === socket) this.socket = null;
    this.buffer = '';
    const err = new DbError('unavailable', `${this.description}: connection lost`);
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }

  private async send(body: DbRequestBody): Promise<DbResponse> {
    if (this.closed) throw new DbError('unavailable', `${this.description}: closed`);
    const socket = await this.connect();
    const id = this.nextId++;
    const timeoutMs = this.options.timeoutMs ?? 30_000;
    const res = await new Promise<DbResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DbError('unavailable', `${this.description}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.set(id, {
        resolve: (r) => {
          clearTimeout(timer);
          resolve(r);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      socket.write(`${JSON.stringify({ ...body, id })}\n`);
    });
    if ('error' in res) throw new DbError(res.error.code, res.error.message);
    return res;
  }

  async ping(): Promise<void> {
    await this.send({ op: 'ping' });
  }

  async query(name: StatementName, params: SqlValue[]): Promise<Row[]> {
    const res = await this.send({ op: 'query', name, params });
    return 'rows' in res ? res.rows : [];
  }

  async run(name: StatementName, params: SqlValue[]): Promise<RunResult> {
    const res = await this.send({ op: 'run', name, params });
    if (!('result' in res)) throw new DbError('failed', `${this.description}: unexpected answer to run`);
    return res.result;
  }

  async batch(steps: BatchStep[]): Promise<BatchResult> {
    const res = await this.send({ op: 'batch', steps });
    if (!('batch' in res)) throw new DbError('failed', `${this.description}: unexpected answer to batch`);
    return res.batch;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.socket?.end();
    this.socket?.destroy();
    this.socket = null;
  }
}
