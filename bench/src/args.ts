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
export function count(option: string, value: string, min = 1, usage = USAGE): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(n) || n < min) throw new Error(`--${option}=${value}: expected a whole number ≥ ${min}\n${usage}`);
  return n;
}

/** A comma-separated list of names out of `allowed`, or an error naming the option and what it takes. */
export function choices<T extends string>(option: string, value: string, allowed: readonly T[], usage = USAGE): T[] {
  const names = value.split(',').filter(Boolean);
  const unknown = names.filter((name) => !(allowed as readonly string[]).includes(name));
  if (unknown.length || names.length === 0) throw new Error(`--${option}=${value}: expected some of ${allowed.join(', ')}\n${usage}`);
  return names as T[];
}

/** The options every bench's command line has: which parts, where the table goes, help. */
const COMMON_OPTIONS = {
  only: { type: 'string' },
  out: { type: 'string' },
  'no-docs': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function parseArguments(argv: string[]): Args | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: false,
    options: {
      ...COMMON_OPTIONS,
      quick: { type: 'boolean' },
      full: { type: 'boolean' },
      'history-1m': { type: 'string' },
      'changed-1m': { type: 'string' },
      threads: { type: 'string' },
      servers: { type: 'string' },
      compare: { type: 'string' },
      'half-rate': { type: 'string' },
    },
  });
  if (values.help) return 'help';
  if (values.quick && values.full) throw new Error(`--quick and --full: choose one\n${USAGE}`);
  const only = values.only === undefined ? undefined : choices('only', values.only, SCENARIOS);
  const servers = values.servers === undefined ? undefined : choices('servers', values.servers, SERVER_IDS);
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

/** What every standalone bench (accounts, burst) takes: which parts to run, how many rounds, where the table goes. */
export interface StandaloneArgs<P extends string> {
  only: P[];
  rounds: number;
  out: string;
  docs: boolean;
}

/** Parses a standalone bench's common options and its own string options `extra` (returned raw, for it to check). */
function standaloneArguments<P extends string, E extends string>(
  argv: string[],
  parts: readonly P[],
  usage: string,
  extra: readonly E[] = [],
): (StandaloneArgs<P> & { extra: Partial<Record<E, string>> }) | 'help' {
  // strict: unknown options and positionals (the burst bench's old bare phase names) are errors.
  const own = Object.fromEntries(['rounds', ...extra].map((name) => [name, { type: 'string' as const }]));
  let values;
  try {
    ({ values } = parseArgs({ args: argv, strict: true, options: { ...COMMON_OPTIONS, ...own } }));
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${usage}`);
  }
  if (values.help) return 'help';
  const text = (name: string) => (values as Record<string, string | boolean | undefined>)[name] as string | undefined;
  return {
    only: text('only') === undefined ? [...parts] : choices('only', text('only') as string, parts, usage),
    rounds: text('rounds') === undefined ? 3 : count('rounds', text('rounds') as string, 1, usage),
    out: text('out') ?? join(REPO, 'docs', 'benchmarks.md'),
    docs: !values['no-docs'],
    extra: Object.fromEntries(extra.filter((name) => text(name) !== undefined).map((name) => [name, text(name)])) as Partial<Record<E, string>>,
  };
}

export const ACCOUNTS_PARTS = ['sign-in', 'storm', 'delivery', 'history'] as const;
export type AccountsPart = (typeof ACCOUNTS_PARTS)[number];

export const ACCOUNTS_USAGE = `Usage: node bench/dist/accounts.js [options]   (npm run bench:accounts -- [options])

  --only=a,b              only these parts: ${ACCOUNTS_PARTS.join(', ')}
  --rounds=N              rounds of each comparison, the builds and the with/without runs interleaved (default 3)
  --against=[NAME=]DIR,…  also measure other backend builds (each DIR holds a main.js) in the same rounds
  --private-messages=N    private messages stored for the history reads (default 200000, at least 400)
  --out=FILE              markdown file to update between its accounts markers (default docs/benchmarks.md)
  --no-docs               print the table only
`;

export interface AccountsArgs extends StandaloneArgs<AccountsPart> {
  /** Other builds to measure alongside this one. */
  against: Array<{ label: string; dir: string }>;
  privateMessages: number;
}

export function parseAccountsArguments(argv: string[]): AccountsArgs | 'help' {
  const args = standaloneArguments(argv, ACCOUNTS_PARTS, ACCOUNTS_USAGE, ['against', 'private-messages']);
  if (args === 'help') return args;
  const { extra, ...common } = args;
  const privateMessages = extra['private-messages'] === undefined ? 200_000 : count('private-messages', extra['private-messages'], 400, ACCOUNTS_USAGE);
  const against = (extra.against?.split(',') ?? []).map((item, i) => {
    const [label, dir] = item.includes('=') ? [item.slice(0, item.indexOf('=')), item.slice(item.indexOf('=') + 1)] : [`build ${i + 2}`, item];
    if (!label || !dir) throw new Error(`--against=${extra.against}: expected [NAME=]DIR,…\n${ACCOUNTS_USAGE}`);
    return { label, dir };
  });
  return { ...common, against, privateMessages };
}

export const BURST_PHASES = ['burst-off', 'burst-on', 'burst-on-large', 'slow', 'cpu'] as const;
export type BurstPhase = (typeof BURST_PHASES)[number];

export const BURST_USAGE = `Usage: node bench/dist/burst.js [options]   (npm run bench:burst -- [options])

  --only=a,b              only these phases: ${BURST_PHASES.join(', ')} (default: all)
  --rounds=N              rounds of the cpu phase, limit off and on interleaved (default 3)
  --out=FILE              markdown file to update between its burst-cpu markers (default docs/benchmarks.md)
  --no-docs               print only
`;

export function parseBurstArguments(argv: string[]): StandaloneArgs<BurstPhase> | 'help' {
  const args = standaloneArguments(argv, BURST_PHASES, BURST_USAGE);
  if (args === 'help') return args;
  const { extra: _none, ...common } = args;
  return common;
}
