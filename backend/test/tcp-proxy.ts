import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on loopback in front of one or more server ports, that can cut
 * connections: what a flaky network or a load balancer dropping sockets does
 * to clients. Each new connection goes to a random target.
 */
export class TcpProxy {
  private readonly pairs = new Set<[Socket, Socket]>();
  private server?: Server;
  private cutter?: NodeJS.Timeout;
  /** Connections cut on purpose so far. */
  cuts = 0;
  /** Connections accepted so far. */
  accepted = 0;
  port = 0;

  constructor(public targets: number[]) {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.accept(client));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Cuts 1–`most` random open connections every `minMs`–`maxMs`, until `stopCutting`. */
  cutRandomly(minMs: number, maxMs: number, most = 3): void {
    const next = () => {
      this.cutter = setTimeout(() => {
        const open = [...this.pairs];
        for (let n = 1 + Math.floor(Math.random() * most); n > 0 && open.length > 0; n--) {
          const [pair] = open.splice(Math.floor(Math.random() * open.length), 1);
          this.cut(pair);
        }
        next();
      }, minMs + Math.random() * (maxMs - minMs));
    };
    next();
  }

  stopCutting(): void {
    clearTimeout(this.cutter);
  }

  async close(): Promise<void> {
    this.stopCutting();
    for (const pair of this.pairs) for (const socket of pair) socket.destroy();
    this.pairs.clear();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private accept(client: Socket): void {
    this.accepted++;
    if (this.targets.length === 0) {
      client.resetAndDestroy(); // nothing to forward to: as a balancer with no healthy backend
      return;
    }
    const target = this.targets[Math.floor(Math.random() * this.targets.length)];
    const upstream = connect(target, '127.0.0.1');
    const pair: [Socket, Socket] = [client, upstream];
    this.pairs.add(pair);
    const end = () => {
      this.pairs.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of pair) {
      socket.on('error', end);
      socket.on('close', end);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }

  private cut(pair: [Socket, Socket]): void {
    if (!this.pairs.delete(pair)) return;
    this.cuts++;
    // A reset, not a clean close: neither side gets to finish what it was writing.
    for (const socket of pair) socket.resetAndDestroy();
  }
}
