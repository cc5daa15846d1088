import { z } from 'zod';

/**
 * The server's environment, read and validated once at start-up. A bad value stops the process with a
 * message naming the variable, rather than failing later on the first request that needs it.
 */
const Port = z.coerce.number().int().min(0).max(65_535);

export const EnvSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().min(1).max(255).default('127.0.0.1'),
  PORT: Port.default(3000),
  /** A PostgreSQL server; without it the embedded PGlite is used. */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'expected a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * `off` behind a connection pooler that cannot keep prepared statements (PgBouncer in transaction mode
   * before 1.21); see server/db/prepared.ts.
   */
  DATABASE_PREPARED_STATEMENTS: z.enum(['on', 'off']).default('on'),
  /** PGlite's data directory, kept across restarts. `memory://` keeps nothing (tests, benchmarks). */
  DATA_DIR: z.string().min(1).max(4096).default('.data/pglite'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Largest request body accepted, in bytes. */
  BODY_LIMIT: z.coerce.number().int().min(1024).max(10 * 1024 * 1024).default(64 * 1024),
  /** Per-token (or per-address when anonymous) rate limit: a bucket of RATE_BURST refilled at RATE_PER_SEC. */
  RATE_PER_SEC: z.coerce.number().positive().max(1_000_000).default(20),
  RATE_BURST: z.coerce.number().int().min(1).max(1_000_000).default(60),
  /**
   * Events older than this many days are deleted (hourly). A client resuming from an older event id gets
   * what is left; the extension and dashboard read current state from the API anyway.
   */
  EVENT_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How long an organiser's session lasts, in hours. */
  SESSION_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(24 * 14),
});
export type Env = z.infer<typeof EnvSchema>;

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses an environment (process.env by default); throws EnvError listing every bad variable. */
export function parseEnv(source: Record<string, string | undefined> = process.env): Env {
  // An empty variable means "not set" (a common shell idiom: `DATABASE_URL= npm start`).
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => {
      const name = issue.path.join('.');
      return `  ${name}=${JSON.stringify(source[name] ?? '')}: ${issue.message}`;
    });
    throw new EnvError(`Invalid environment:\n${lines.join('\n')}`);
  }
  return result.data;
}

/** For main: parse or stop the process with a clear message (no stack trace for a configuration error). */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  try {
    return parseEnv(source);
  } catch (error) {
    if (error instanceof EnvError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
