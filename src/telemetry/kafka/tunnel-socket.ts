// A kafkajs socket factory whose connections travel through a tunnel (an SSH direct-tcpip channel
// through the AWS testbed's bastion) instead of a TCP connection from this machine. Kafka clients
// connect to the addresses the brokers advertise (private VPC addresses here), so a port forward
// to one address is not enough: every connection kafkajs opens, to whichever broker, must go
// through the tunnel. kafkajs asks its factory for a socket synchronously, while opening a tunnel
// is asynchronous: the factory returns a stand-in Duplex at once, buffers what kafkajs writes
// until the tunnel is open, then splices the two and calls kafkajs's onConnect.

import { Duplex } from 'node:stream';
import type { ISocketFactory } from 'kafkajs';

/** Opens a byte stream to host:port (e.g. an SSH channel); rejects when it cannot. */
export type TunnelOpener = (host: string, port: number) => Promise<Duplex>;

class TunnelSocket extends Duplex {
  private inner: Duplex | null = null;
  private readonly pending: { chunk: Buffer; cb: (err?: Error | null) => void }[] = [];
  private endRequested = false;

  constructor(open: Promise<Duplex>, onConnect: () => void) {
    super();
    open.then(
      (inner) => {
        // kafkajs gave up on this connection (its connection timeout ends or destroys the socket)
        // before the tunnel opened: do not report a connection it no longer waits for.
        if (this.destroyed || this.endRequested) {
          inner.destroy();
          if (!this.destroyed) this.destroy();
          return;
        }
        this.inner = inner;
        inner.on('data', (d: Buffer) => {
          if (!this.push(d)) inner.pause();
        });
        inner.once('end', () => this.push(null));
        inner.on('error', (e: Error) => this.destroy(e));
        inner.once('close', () => {
          if (!this.destroyed) this.destroy();
        });
        for (const p of this.pending.splice(0)) inner.write(p.chunk, p.cb);
        onConnect();
      },
      (err: unknown) => this.destroy(err instanceof Error ? err : new Error(String(err))),
    );
  }

  override _read(): void {
    this.inner?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.inner) this.inner.write(chunk, cb);
    else this.pending.push({ chunk, cb });
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (this.inner) this.inner.end();
    else this.endRequested = true;
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.inner?.destroy();
    for (const p of this.pending.splice(0)) p.cb(err ?? new Error('tunnel closed'));
    cb(err);
  }

  // net.Socket methods kafkajs (or its callers) may call: meaningless on a tunnel.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  ref(): this {
    return this;
  }
}

/** A kafkajs `socketFactory` that opens every broker connection with `open` (TLS not supported). */
export function tunnelSocketFactory(open: TunnelOpener): ISocketFactory {
  return ({ host, port, ssl, onConnect }) => {
    if (ssl) throw new Error('kafka over a tunnel: TLS is not supported');
    // kafkajs only uses the stream API of its socket (on/write/end/destroy/unref).
    return new TunnelSocket(open(host, port), onConnect) as unknown as ReturnType<ISocketFactory>;
  };
}
