import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { normalise, parseArguments, USAGE } from './args';
import { writeBetweenMarkers } from './report/doc-file';
import { p99Chart, renderMarkdown } from './report/markdown';
import { REPO, runBench } from './servers';
import { snapshotBuilds } from './snapshot';
import { planFor, runSuite } from './suite';

async function main(): Promise<void> {
  const args = parseArguments(normalise(process.argv.slice(2)));
  if (args === 'help') {
    process.stdout.write(USAGE);
    return;
  }
  const plan = planFor(args.mode, { only: args.only, largeHistory: args.largeHistory, changedAfter: args.changedAfter, threads: args.threads, servers: args.servers, compare: args.compare, halfRate: args.halfRate });
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

runBench(main);
