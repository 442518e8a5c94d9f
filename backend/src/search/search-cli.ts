/**
 * The operator's command line for the search index, on the configured
 * storage (DATA_DIR or DATABASE_URL, as the server):
 *   npm run search -- size      bytes the index takes
 *   npm run search -- check     exit 1 when the index does not match the messages (SQLite)
 *   npm run search -- rebuild   rebuild it from the messages (safe while the server runs; writes wait for it)
 */
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '../config/app-config';
import { describe } from '../storage/database';
import { SearchIndex } from '../storage/search-index';
import { openStorage } from '../storage/storage.module';

const USAGE = `usage: npm run search -- <command>
  size      bytes the search index takes
  check     verify the index against the messages (SQLite; exit 1 when they differ)
  rebuild   rebuild the index from the messages`;

class UsageError extends Error {}

export async function runSearchCommand(args: string[], env: Record<string, string | undefined>, out: (line: string) => void): Promise<void> {
  const [command, ...rest] = args;
  if (!['size', 'check', 'rebuild'].includes(command ?? '') || rest.length > 0) throw new UsageError(USAGE);
  const config = loadConfig(env);
  if (config.storage === 'memory') throw new Error('STORAGE=memory has no search index');
  const database = await openStorage(config);
  if (!database) throw new Error('no database');
  try {
    const index = new SearchIndex(database);
    if (command === 'size') out(`search index: ${await index.size()} bytes`);
    if (command === 'check') {
      await index.check();
      out('search index: matches the messages');
    }
    if (command === 'rebuild') {
      const started = Date.now();
      await index.rebuild();
      out(`search index rebuilt in ${Date.now() - started} ms: ${await index.size()} bytes`);
    }
  } finally {
    await database.db.destroy();
  }
}

if (require.main === module) {
  Logger.overrideLogger(['error']);
  runSearchCommand(process.argv.slice(2), process.env, (line) => console.log(line)).then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(error.message);
        process.exit(2);
      }
      console.error(`search: ${error instanceof ConfigError ? `invalid configuration: ${error.message}` : describe(error)}`);
      process.exit(1);
    },
  );
}
