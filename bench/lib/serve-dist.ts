/**
 * Fallback for the API benchmark when `node bin/kansou.js serve` cannot start because the CLI
 * fails to load (for instance while a module it imports for `kansou import` is missing from
 * dist/): does exactly what the `serve` action of src/cli/main.ts does, with the compiled
 * dist/ modules. run.ts says so in its output whenever it uses this.
 */
const dist = new URL('../../dist/', import.meta.url);
const { loadConfig } = (await import(new URL('config.js', dist).href)) as { loadConfig: () => { databaseUrl: string; logLevel: string; port: number; host: string } };
const { openDatabase } = (await import(new URL('db/connection.js', dist).href)) as { openDatabase: (url: string) => Promise<{ close(): Promise<void> }> };
const { buildApp } = (await import(new URL('server/app.js', dist).href)) as {
  buildApp: (o: { db: unknown; logLevel: string }) => Promise<{ addHook(name: 'onClose', fn: () => Promise<void>): void; close(): Promise<void>; listen(o: { port: number; host: string }): Promise<string> }>;
};

const c = loadConfig();
const db = await openDatabase(c.databaseUrl);
const app = await buildApp({ db, logLevel: c.logLevel });
app.addHook('onClose', () => db.close());
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close());
await app.listen({ port: c.port, host: c.host });
