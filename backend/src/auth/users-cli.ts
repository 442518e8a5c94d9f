/**
 * The operator's command line, on the configured storage (the same
 * environment as the server: DATA_DIR or DATABASE_URL, REDIS_URL):
 *   npm run users -- add <name>            (password from standard input)
 *   npm run users -- set-password <name>   (password from standard input; ends the user's sessions)
 *   npm run users -- list
 *   npm run users -- end-sessions <name>
 * Passwords are read from standard input, never from the arguments (which
 * `ps` shows). Works whatever REGISTRATION says.
 */
import { HttpException, Logger } from '@nestjs/common';
import { createInterface } from 'node:readline';
import type { ClusterEvent } from '../cluster/cluster';
import { publishOnce } from '../cluster/redis-cluster';
import { ConfigError, loadConfig, type AppConfig } from '../config/app-config';
import { describe } from '../storage/database';
import { KyselySessionsRepository } from '../storage/kysely/kysely-sessions.repository';
import { KyselyUsersRepository } from '../storage/kysely/kysely-users.repository';
import { KyselyStorage } from '../storage/storage-health';
import { openStorage } from '../storage/storage.module';
import { Accounts } from './accounts';
import { PasswordHasher } from './passwords';

const USAGE = `usage: npm run users -- <command>
  add <name>             make an account (password from standard input)
  set-password <name>    set a user's password (from standard input) and end their sessions
  list                   list users: id, name, whether they have a password, sessions, created
  end-sessions <name>    end every session of a user (their sockets close)`;

class UsageError extends Error {}

interface Io {
  out: (line: string) => void;
  readPassword: () => Promise<string>;
}

export async function runUsersCommand(args: string[], env: Record<string, string | undefined>, io: Io): Promise<void> {
  const [command, name, ...rest] = args;
  const needsName = command === 'add' || command === 'set-password' || command === 'end-sessions';
  if (!command || (needsName && (!name || rest.length > 0)) || (command === 'list' && name !== undefined)) throw new UsageError(USAGE);
  if (!needsName && command !== 'list') throw new UsageError(USAGE);
  const config = loadConfig(env);
  if (config.storage === 'memory') throw new Error('STORAGE=memory keeps no users a command line could change');
  const database = await openStorage(config);
  if (!database) throw new Error('no database');
  const storage = new KyselyStorage(database);
  try {
    const users = new KyselyUsersRepository(storage);
    const sessions = new KyselySessionsRepository(storage);
    const accounts = new Accounts(users, new PasswordHasher());
    const endSessions = async (userId: string): Promise<number> => {
      const ended = await sessions.deleteForUser(userId);
      await tellInstances(config, ended.map((session): ClusterEvent => ({ t: 'session_ended', session })));
      return ended.length;
    };
    switch (command) {
      case 'add': {
        const password = await io.readPassword();
        await accounts.checkNew(name, password);
        const account = await accounts.create(name, password, new Date());
        io.out(`added ${account.username} (id ${account.id})`);
        return;
      }
      case 'set-password': {
        const account = await accounts.find(name);
        await accounts.setPassword(account.username, await io.readPassword());
        const ended = await endSessions(account.id);
        io.out(`password set for ${account.username}; ${ended} session(s) ended`);
        return;
      }
      case 'end-sessions': {
        const account = await accounts.find(name);
        io.out(`${await endSessions(account.id)} session(s) of ${account.username} ended`);
        return;
      }
      case 'list': {
        const all = await users.listAccounts();
        io.out(['id', 'username', 'password', 'sessions', 'created_at'].join('\t'));
        for (const account of all) {
          const count = (await sessions.listForUser(account.id)).length;
          io.out([account.id, account.username, account.passwordHash ? 'yes' : 'no', String(count), account.createdAt].join('\t'));
        }
        return;
      }
    }
  } finally {
    await storage.onApplicationShutdown();
  }
}

/** With REDIS_URL, running instances hear of ended sessions at once; without, they notice within 30 s. */
async function tellInstances(config: AppConfig, events: ClusterEvent[]): Promise<void> {
  if (!config.redisUrl || events.length === 0) return;
  for (const event of events) await publishOnce(config.redisUrl, config.redisPrefix, event);
}

/** The first line of standard input; on a terminal, asked for without echo. */
function readPassword(): Promise<string> {
  const input = process.stdin;
  if (!input.isTTY) {
    return new Promise((resolve, reject) => {
      let text = '';
      input.setEncoding('utf8');
      input.on('data', (chunk: string) => (text += chunk));
      input.on('end', () => resolve(text.split(/\r?\n/)[0] ?? ''));
      input.on('error', reject);
    });
  }
  return new Promise((resolve) => {
    const rl = createInterface({ input, output: process.stderr, terminal: true });
    process.stderr.write('Password: ');
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => undefined;
    rl.question('', (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
  });
}

if (require.main === module) {
  Logger.overrideLogger(['error']);
  runUsersCommand(process.argv.slice(2), process.env, { out: (line) => console.log(line), readPassword }).then(
    () => process.exit(0),
    (error: unknown) => {
      if (error instanceof UsageError) {
        console.error(error.message);
        process.exit(2);
      }
      const reason =
        error instanceof HttpException ? messageOf(error) : error instanceof ConfigError ? `invalid configuration: ${error.message}` : describe(error);
      console.error(`users: ${reason}`);
      process.exit(1);
    },
  );
}

function messageOf(error: HttpException): string {
  const body = error.getResponse();
  const message = typeof body === 'object' && body !== null && 'message' in body ? (body as { message: unknown }).message : body;
  return Array.isArray(message) ? message.join('; ') : String(message);
}
