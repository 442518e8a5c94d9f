import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SCENARIOS, SERVER_IDS, type Mode, type ScenarioName } from './suite';
import { COMPARE_ID, REPO } from './servers';

export const USAGE = `Usage: node bench/dist/main.js [--quick | --full] [options]

  --quick                 a few minutes (default): what \`npm run bench\` runs
  --full                  longer steps, repeated rounds, 1,000,000 stored messages
  --only=a,b              only these scenarios: ${SCENARIOS.join(', ')}
  --history-1m[=N]        also seed N (default 1,000,000) messages into SQLite and read them
  --changed-1m[=N]        also seed N (default 1,000,000) messages, edit N/10 of them, and read changed_after pages
  --servers=a,b           only these servers (ids: ${SERVER_IDS.join(', ')}); the fan-out's half load needs ws-durable
  --compare=DIR           also run ChatStream as built in checkout DIR (its backend/dist) in the fan-out's
                          half-load rounds, interleaved with this one (id ${COMPARE_ID})
  --half-rate=N           the fan-out's half load is N msg/s (no sweeps): for comparisons at a known rate
  --threads=N             generator worker threads (default 2)
  --out=FILE              markdown file to update between its bench markers (default docs/benchmarks.md)
  --no-docs               do not touch the docs; print and keep the JSON only
`;

interface Args {
  mode: Mode;
  only?: ScenarioName[];
  largeHistory?: number;
  changedAfter?: number;
  threads?: number;
  servers?: string[];
  compare?: string;
  halfRate?: number;
  out: string;
  docs: boolean;
}

/** A whole number ≥ `min`, or an error naming the option. */
export function count(option: string, value: string, min = 1): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${option}=${value}: expected a whole number ≥ ${min}\n${USAGE}`);
  return n;
}

export function parseArguments(argv: string[]): Args | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      only: { type: 'string' },
      'history-1m': { type: 'string' },
      'changed-1m': { type: 'string' },
      threads: { type: 'string' },
      servers: { type: 'string' },
      compare: { type: 'string' },
      'half-rate': { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (values.quick && values.full) throw new Error(`--quick and --full: choose one\n${USAGE}`);
  let only: ScenarioName[] | undefined;
  if (values.only !== undefined) {
    only = values.only.split(',').filter(Boolean) as ScenarioName[];
    const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
    if (unknown.length || only.length === 0) throw new Error(`--only: unknown scenario ${unknown.join(', ') || '(none given)'}\n${USAGE}`);
  }
  const servers = values.servers?.split(',').filter(Boolean);
  const unknownServers = (servers ?? []).filter((id) => !SERVER_IDS.includes(id));
  if (servers && (unknownServers.length || servers.length === 0)) throw new Error(`--servers: unknown server ${unknownServers.join(', ') || '(none given)'}\n${USAGE}`);
  const compare = values.compare;
  if (compare !== undefined && !existsSync(join(compare, 'backend', 'dist', 'main.js'))) throw new Error(`--compare=${compare}: no backend/dist/main.js there (build protocol and backend in it first)\n${USAGE}`);
  const sized = (option: 'history-1m' | 'changed-1m'): number | undefined => {
    const value = values[option];
    const n = value === undefined ? undefined : value === '' ? 1_000_000 : count(option, value);
    if (only && n && !only.includes(option)) only.push(option);
    return n;
  };
  const largeHistory = sized('history-1m');
  const changedAfter = sized('changed-1m');
  return {
    mode: values.full ? 'full' : 'quick',
    only,
    largeHistory,
    changedAfter,
    servers,
    compare,
    halfRate: values['half-rate'] === undefined ? undefined : count('half-rate', values['half-rate']),
    threads: values.threads === undefined ? undefined : count('threads', values.threads),
    out: values.out ?? join(REPO, 'docs', 'benchmarks.md'),
    docs: !values['no-docs'],
  };
}

/** `--history-1m` (`--changed-1m`) alone means its default: node's parser wants `--history-1m=` for an optional value. */
export function normalise(argv: string[]): string[] {
  return argv.map((arg) => (arg === '--history-1m' || arg === '--changed-1m' ? `${arg}=` : arg));
}
