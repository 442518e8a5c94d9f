/**
 * Search and unread counts at scale (issue 15):
 *   npm run bench:search -- [--messages=1000000] [--engines=sqlite,postgres] [--rate=40] [--seconds=10] [--writes=20000] [--no-docs]
 * Seeds the messages into a fresh SQLite DATA_DIR and (with DATABASE_URL) a
 * fresh PostgreSQL database, reads GET /api/search and GET /api/rooms at a
 * light rate, measures the write path with the search index on and off, and
 * writes its table into docs/benchmarks.md between the search markers.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { count } from './args';
import { searchTable } from './report/markdown';
import { writeBetweenMarkers } from './report/doc-file';
import { searchAtScale, type Engine, type EngineResult, type SearchBenchOptions } from './scenarios/search';
import { REPO, runBench } from './servers';

export const SEARCH_USAGE = `Usage: npm run bench:search -- [options]
  --messages=N        stored messages (default 1000000)
  --rooms=N           rooms of the reader, the messages spread over them (default 50)
  --engines=a,b       sqlite, postgres (default both; postgres needs DATABASE_URL)
  --rate=N            GETs per second, each request kind alone (default 20)
  --seconds=N         reading time after a warm-up (default 10)
  --writes=N          messages appended per write round (default 20000)
  --rounds=N          write rounds per mode on SQLite (default 2)
  --no-docs           print the table only
`;

export function parseSearchArguments(argv: string[]): { options: SearchBenchOptions; engines: Engine[]; docs: boolean } | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      messages: { type: 'string' },
      rooms: { type: 'string' },
      engines: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      writes: { type: 'string' },
      rounds: { type: 'string' },
      'no-docs': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  const engines = (values.engines ?? 'sqlite,postgres').split(',').filter(Boolean) as Engine[];
  const unknown = engines.filter((engine) => engine !== 'sqlite' && engine !== 'postgres');
  if (unknown.length || engines.length === 0) throw new Error(`--engines: unknown engine ${unknown.join(', ') || '(none given)'}\n${SEARCH_USAGE}`);
  const number = (name: keyof typeof values, fallback: number) => (values[name] === undefined ? fallback : count(name, String(values[name])));
  return {
    engines,
    docs: !values['no-docs'],
    options: {
      messages: number('messages', 1_000_000),
      rooms: number('rooms', 50),
      rate: number('rate', 20),
      durationMs: number('seconds', 10) * 1000,
      connections: 4,
      writes: number('writes', 20_000),
      writeRounds: number('rounds', 2),
      quietWaitMs: 30_000,
      postgresUrl: process.env.DATABASE_URL,
    },
  };
}

async function main(): Promise<void> {
  const args = parseSearchArguments(process.argv.slice(2));
  if (args === 'help') {
    process.stdout.write(SEARCH_USAGE);
    return;
  }
  const started = Date.now();
  const log = (line: string) => process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)}s] ${line}\n`);
  const results: EngineResult[] = [];
  for (const engine of args.engines) {
    if (engine === 'postgres' && !args.options.postgresUrl) {
      log('postgres skipped: DATABASE_URL is not set');
      continue;
    }
    results.push(await searchAtScale(engine, args.options, log));
  }
  const table = searchTable(results, args.options);
  if (args.docs) writeBetweenMarkers(join(REPO, 'docs', 'benchmarks.md'), table, 'search', 'Search and unread counts at 1,000,000 messages (`npm run bench:search`)');
  console.log(table);
}

if (require.main === module) runBench(main);
