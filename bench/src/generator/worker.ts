import { parentPort } from 'node:worker_threads';
import { ClientPool } from './client-pool';
import type { Command } from './messages';

/** Worker-thread entry: a `ClientPool` driven by the coordinator's commands. */
const port = parentPort;
if (!port) throw new Error('worker.ts runs as a worker thread');
const pool = new ClientPool((reply) => port.postMessage(reply));
port.on('message', (command: Command) => void pool.handle(command));
