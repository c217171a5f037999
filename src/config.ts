/**
 * Every setting in one table: name, default, parser, secret or not. Read once at start;
 * a bad value stops the program with a message naming the variable.
 */
import { invalidInput } from './shared/errors.js';

interface Option<T> {
  env: string;
  description: string;
  default: T;
  parse: (raw: string) => T;
  secret?: boolean;
}

const port = (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error('must be a port number (0–65535)');
  return n;
};
const text = (raw: string) => raw;
const megabytes = (raw: string) => {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 2 || n > 65536) throw new Error('must be a whole number of megabytes between 2 and 65536');
  return n;
};
const logLevel = (raw: string) => {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw)) throw new Error(`must be one of ${levels.join(', ')}`);
  return raw;
};

const publicUrl = (raw: string) => {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an absolute http:// or https:// address');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('must be an http:// or https:// address');
  return url.toString().replace(/\/$/, '');
};

export const OPTIONS = {
  databaseUrl: {
    env: 'DATABASE_URL',
    description: 'A postgres:// URL, or the path of the SQLite file',
    default: './data/kansou.db',
    parse: text,
    secret: true,
  },
  port: { env: 'PORT', description: 'HTTP port', default: 3000, parse: port },
  host: { env: 'HOST', description: 'Address to listen on', default: '127.0.0.1', parse: text },
  ownerName: {
    env: 'KANSOU_OWNER',
    description: 'Name of the site owner: the author of reviews imported without --author',
    default: 'Site Owner',
    parse: text,
  },
  sqliteCacheMb: {
    env: 'KANSOU_SQLITE_CACHE_MB',
    description: 'SQLite only: memory the server may use to keep database pages it reads often, in MB',
    default: 256,
    parse: megabytes,
  },
  logLevel: { env: 'LOG_LEVEL', description: 'Log level', default: 'info', parse: logLevel },
  siteName: { env: 'KANSOU_SITE_NAME', description: 'Name of the site, shown in every page title and feed', default: 'Kansou', parse: text },
  publicUrl: {
    env: 'KANSOU_PUBLIC_URL',
    description: 'Address readers use to reach the site, for canonical links, feeds and the sitemap (default: http://localhost:PORT)',
    default: '',
    parse: publicUrl,
  },
} satisfies Record<string, Option<unknown>>;

type Options = typeof OPTIONS;
export type Config = { [K in keyof Options]: Options[K]['default'] };

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const config: Record<string, unknown> = {};
  for (const [key, option] of Object.entries(OPTIONS) as [keyof Options, Option<unknown>][]) {
    const raw = env[option.env];
    if (raw === undefined || raw === '') {
      config[key] = option.default;
      continue;
    }
    try {
      config[key] = option.parse(raw);
    } catch (error) {
      throw invalidInput(`${option.env}=${option.secret ? '…' : JSON.stringify(raw)}: ${(error as Error).message}`);
    }
  }
  if (!config.publicUrl) config.publicUrl = `http://localhost:${config.port}`;
  return config as Config;
}

/** For `kansou config`: every option with its value, secrets hidden. */
export function describeConfig(config: Config): { env: string; value: string; description: string }[] {
  return (Object.entries(OPTIONS) as [keyof Options, Option<unknown>][]).map(([key, option]) => ({
    env: option.env,
    value: option.secret && config[key] !== option.default ? redact(String(config[key])) : String(config[key]),
    description: option.description,
  }));
}

function redact(value: string): string {
  // Keep a database URL recognisable without its password.
  return value.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
}
