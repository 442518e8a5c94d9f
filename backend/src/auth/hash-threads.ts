import { Worker } from 'node:worker_threads';

/** What a hash thread is asked to do, and what it answers. */
export type HashJob = { op: 'hash'; password: string } | { op: 'verify'; hash: string; password: string };
type Answer = { value: string | boolean } | { error: string };

/** The nice value hash threads give themselves: the lowest priority there is, so the kernel always runs the event loop first. */
export const HASH_THREAD_NICE = 19;

/*
 * The thread's code, plain JavaScript run with `eval` so that it needs no
 * build step of its own (the same source runs from backend/dist and under
 * the specs' TypeScript). It renices its own thread only, never the
 * process: on Linux a thread's id is the tail of /proc/thread-self
 * ("<pid>/task/<tid>") and setpriority(2) takes it. Elsewhere it runs at the
 * process's priority.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { hashSync, verifySync } = require(workerData.argon2);
try {
  const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
  require('node:os').setPriority(tid, workerData.nice);
} catch {}
parentPort.on('message', (job) => {
  try {
    parentPort.postMessage({ value: job.op === 'hash' ? hashSync(job.password, workerData.options) : verifySync(job.hash, job.password) });
  } catch (error) {
    parentPort.postMessage({ error: String(error) });
  }
});
`;

interface Pending {
  job: HashJob;
  resolve(value: string | boolean): void;
  reject(error: Error): void;
}

/**
 * Up to `size` worker threads that run Argon2 synchronously, one job each at
 * a time; jobs beyond that wait in order. Threads start on first use and do
 * not keep the process alive while idle (the operator's command line exits
 * when done); one that dies is replaced and its job fails.
 */
export class HashThreads {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Pending>();
  private readonly queue: Pending[] = [];
  private started = 0;
  private closed = false;

  constructor(
    private readonly size: number,
    private readonly options: object,
  ) {}

  /** Jobs waiting for a free thread. */
  get waiting(): number {
    return this.queue.length;
  }

  /** True when a job given now would start at once. */
  get hasFreeThread(): boolean {
    return this.idle.length > 0 || (!this.closed && this.started < this.size);
  }

  run(job: HashJob): Promise<string | boolean> {
    if (this.closed) return Promise.reject(new Error('hash threads closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ job, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.idle, ...this.busy.keys()];
    for (const pending of this.queue.splice(0)) pending.reject(new Error('hash threads closed'));
    await Promise.all(all.map((worker) => worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (!this.closed && this.started < this.size ? this.start() : undefined);
      if (!worker) return;
      const pending = this.queue.shift() as Pending;
      this.busy.set(worker, pending);
      worker.ref();
      worker.postMessage(pending.job);
    }
  }

  private start(): Worker {
    this.started++;
    const worker = new Worker(SOURCE, { eval: true, workerData: { argon2: require.resolve('@node-rs/argon2'), options: this.options, nice: HASH_THREAD_NICE } });
    worker.on('message', (answer: Answer) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if ('error' in answer) pending?.reject(new Error(answer.error));
      else pending?.resolve(answer.value);
      this.dispatch();
    });
    worker.once('exit', (code) => {
      const pending = this.busy.get(worker);
      this.busy.delete(worker);
      const at = this.idle.indexOf(worker);
      if (at >= 0) this.idle.splice(at, 1);
      this.started--;
      pending?.reject(new Error(`hash thread exited (code ${code})`));
      this.dispatch();
    });
    // An exit follows an error; the error itself is only worth not crashing for.
    worker.on('error', () => undefined);
    return worker;
  }
}
