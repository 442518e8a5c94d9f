import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { writeBetweenMarkers } from './report/doc-file';
import { p99Chart, renderMarkdown } from './report/markdown';
import { killServers, REPO } from './servers';
import { snapshotBuilds } from './snapshot';
import { planFor, runSuite, SCENARIOS, type Mode, type ScenarioName } from './suite';

const USAGE = `Usage: node bench/dist/main.js [--quick | --full] [options]

  --quick                 a few minutes (default): what \`npm run bench\` runs
  --full                  longer steps, repeated rounds, 1,000,000 stored messages
  --only=a,b              only these scenarios: ${SCENARIOS.join(', ')}
  --history-1m[=N]        also seed N (default 1,000,000) messages into SQLite and read them
  --threads=N             generator worker threads (default 2)
  --out=FILE              markdown file to update between its bench markers (default docs/benchmarks.md)
  --no-docs               do not touch the docs; print and keep the JSON only
`;

function parseArgs(argv: string[]): { mode: Mode; only?: ScenarioName[]; largeHistory?: number; threads?: number; out: string; docs: boolean } {
  let mode: Mode = 'quick';
  let only: ScenarioName[] | undefined;
  let largeHistory: number | undefined;
  let threads: number | undefined;
  let out = join(REPO, 'docs', 'benchmarks.md');
  let docs = true;
  for (const arg of argv) {
    const [flag, value] = arg.split('=', 2);
    if (flag === '--quick') mode = 'quick';
    else if (flag === '--full') mode = 'full';
    else if (flag === '--only') {
      only = (value ?? '').split(',').filter(Boolean) as ScenarioName[];
      const unknown = only.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
      if (unknown.length) throw new Error(`unknown scenario ${unknown.join(', ')}\n${USAGE}`);
    } else if (flag === '--history-1m') largeHistory = value ? Number(value) : 1_000_000;
    else if (flag === '--threads') threads = Number(value);
    else if (flag === '--out') out = value;
    else if (flag === '--no-docs') docs = false;
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(USAGE);
      process.exit(0);
    } else throw new Error(`unknown option ${arg}\n${USAGE}`);
  }
  if (only && largeHistory && !only.includes('history-1m')) only.push('history-1m');
  return { mode, only, largeHistory, threads, out, docs };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const plan = planFor(args.mode, { only: args.only, largeHistory: args.largeHistory, threads: args.threads });
  const started = Date.now();
  const log = (line: string): void => {
    const t = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
    process.stdout.write(`[${t}s] ${line}\n`);
  };
  log(`ChatStream benchmarks, ${plan.mode} mode: ${plan.scenarios.join(', ')}`);
  const cleanup = snapshotBuilds();
  process.once('exit', cleanup);
  let results;
  try {
    results = await runSuite(plan, log);
  } finally {
    cleanup();
  }
  const seconds = (Date.now() - started) / 1000;
  const json = join(REPO, 'bench', 'results', `latest-${plan.mode}.json`);
  mkdirSync(dirname(json), { recursive: true });
  writeFileSync(json, JSON.stringify(results, null, 1));
  log(`raw results: ${relative(REPO, json)}`);
  if (args.docs) {
    const svg = p99Chart(results);
    let chartRef: string | undefined;
    if (svg) {
      const chart = join(dirname(args.out), 'bench-p99.svg');
      writeFileSync(chart, svg);
      chartRef = relative(dirname(args.out), chart);
      log(`chart: ${relative(REPO, chart)}`);
    }
    mkdirSync(dirname(args.out), { recursive: true });
    writeBetweenMarkers(args.out, renderMarkdown(results, chartRef, seconds));
    log(`updated ${relative(REPO, args.out)} between its bench markers`);
  }
  log(`done in ${Math.round(seconds)} s${results.failures.length ? `, ${results.failures.length} runs failed` : ''}`);
}

// An interrupted run must not leave servers behind.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    killServers();
    process.exit(130);
  });
}
process.once('exit', killServers);

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
