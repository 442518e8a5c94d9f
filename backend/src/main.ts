import { Logger } from '@nestjs/common';
import { createApp } from './app.setup';
import { ConfigError, loadConfig } from './config/app-config';

/** Past this, a shutdown that is still waiting gives up and exits. */
const SHUTDOWN_LIMIT_MS = 9_500;

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      setTimeout(() => {
        console.error('chatstream: shutdown did not finish within 10 s; exiting');
        process.exit(1);
      }, SHUTDOWN_LIMIT_MS).unref();
    });
  }
  if (config.host) await app.listen(config.port, config.host);
  else await app.listen(config.port);
  const logger = new Logger('ChatStream');
  if (config.auth === 'open') {
    logger.warn('AUTH=open: clients say who they are and are believed (the original trust model); run on a trusted network only');
  }
  logger.log(`listening on http://${config.host ?? 'localhost'}:${config.port}`);
}

main().catch((error: unknown) => {
  const reason = error instanceof ConfigError ? `invalid configuration: ${error.message}` : describe(error);
  console.error(`chatstream: ${reason}`);
  process.exit(1);
});

function describe(error: unknown): string {
  if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') return `PORT is already in use (${error.message})`;
  return error instanceof Error ? error.message : String(error);
}
