import { BadRequestException, Logger, ValidationPipe, type ArgumentMetadata, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { static as serveStatic, type NextFunction, type Request, type Response } from 'express';
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import { AppModule } from './app.module';
import { ChatExpressAdapter } from './common/express-adapter';
import { ChatWsAdapter } from './chat/chat-ws.adapter';
import { HttpErrorFilter } from './common/http-exception.filter';
import { limitRequestTime } from './common/http-server';
import { EscapingConsoleLogger } from './common/logger';
import { jsonShapeProblem } from './common/validation/json-shape';
import { AppConfig, type LogLevelName } from './config/app-config';
import { openStorage } from './storage/storage.module';

/** Where `npm run build` puts the web app, relative to this file in `src/` or `dist/`. */
const BUILT_WEB_APP = join(__dirname, '..', '..', 'frontend', 'dist', 'browser');

const LEVELS: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];
export const logLevels = (level: LogLevelName): LogLevel[] => LEVELS.slice(LEVELS.indexOf(level));

/**
 * Request bodies are checked strictly (unknown fields are a 400); query
 * strings are checked by their routes, which ignore parameters they do not
 * know (cache busters, tracking tags). A body's shape (depth, field count)
 * is checked first, iteratively, so that no body can make class-transformer
 * or class-validator recurse deeply.
 */
class BodyValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type !== 'body') return Promise.resolve(value);
    const problem = jsonShapeProblem(value);
    if (problem) throw new BadRequestException(`body ${problem}`);
    return super.transform(value, metadata);
  }
}

/** Builds the whole application (not yet listening): used by `main.ts` and by the integration specs. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  // Colours for a terminal only: piped into a file or a collector, a log carries no escape codes.
  const logger = new EscapingConsoleLogger({ logLevels: logLevels(config.logLevel), colors: process.stdout.isTTY === true });
  Logger.overrideLogger(logger);
  const database = await openStorage(config);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, database), new ChatExpressAdapter(), {
    abortOnError: false,
    // JSON only: a form-encoded body is not a body here (the contract is JSON in, JSON out).
    bodyParser: false,
    logger,
  });
  limitRequestTime(app.getHttpServer() as Server, config.requestTimeoutMs);
  app.disable('x-powered-by');
  // No ETag on API answers: hashing every JSON body costs more than the rare 304 it saves (static files keep theirs).
  app.set('etag', false);
  app.useBodyParser('json');
  app.setGlobalPrefix('api');
  app.useGlobalFilters(new HttpErrorFilter(app.getHttpAdapter()));
  app.useGlobalPipes(new BodyValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }));
  app.useWebSocketAdapter(new ChatWsAdapter(app));
  setUpSwagger(app);
  serveWebApp(app, config.staticDir ?? BUILT_WEB_APP);
  return app;
}

function setUpSwagger(app: NestExpressApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('ChatStream')
      .setDescription('REST API of ChatStream. Real-time messaging is on the WebSocket at /api/ws: see docs/protocol.md.')
      .setVersion('1')
      // AUTH=accounts: the session cookie (browsers) or the same token as a bearer (scripts).
      .addCookieAuth('chatstream_session')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'the session token from register or login (opaque, not a JWT)' })
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });
}

let warnedNoWebApp = false;

/** Serves the single-page app at `/`; any other non-API GET gets its index.html. */
function serveWebApp(app: NestExpressApplication, dir: string): void {
  const index = join(dir, 'index.html');
  if (!existsSync(index)) {
    if (!warnedNoWebApp) new Logger('WebApp').warn(`no web app at ${dir} (run npm run build); serving the API only`);
    warnedNoWebApp = true;
    return;
  }
  const assets = serveStatic(dir, { index: 'index.html', maxAge: '1h' });
  const isApi = (req: Request) => req.path === '/api' || req.path.startsWith('/api/');
  // API requests never touch the file system (a stat per request would cost every REST call a thread-pool trip).
  app.use((req: Request, res: Response, next: NextFunction) => (isApi(req) ? next() : assets(req, res, next)));
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || isApi(req)) return next();
    res.sendFile(index);
  });
}
