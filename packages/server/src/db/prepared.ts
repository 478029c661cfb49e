import type { Compilable, CompiledQuery, Kysely } from "kysely";
import type { Database } from "./schema.js";

/**
 * A query built and compiled by Kysely once per database, then run with new parameters. For the
 * few queries on the hottest paths (every camera upload, every device message): building a query
 * through Kysely's builders costs more than SQLite takes to run it (bench/README.md, profiles).
 *
 * `build` receives a placeholder for each named parameter and must use each exactly where a value
 * goes (a where value, an inserted value, a limit); the query's shape may not depend on them.
 *
 * Compiled once per database: a transaction of it shares its dialect and plugins (Kysely's
 * executor adapter), so it runs the same compiled query.
 */
export class PreparedQuery<Params extends Record<string, unknown>, Row> {
  private readonly compiled = new WeakMap<object, { query: CompiledQuery<Row>; slots: Slot<Params>[] }>();

  constructor(
    private readonly names: readonly (keyof Params & string)[],
    private readonly build: (db: Kysely<Database>, placeholders: { [K in keyof Params]: Params[K] }) => Compilable<Row>,
  ) {}

  async execute(db: Kysely<Database>, params: Params): Promise<Row[]> {
    const { query, slots } = this.compiledFor(db);
    const parameters = slots.map((slot) => (slot.param === null ? slot.constant : params[slot.param]));
    return (await db.executeQuery<Row>({ ...query, parameters })).rows;
  }

  async executeTakeFirst(db: Kysely<Database>, params: Params): Promise<Row | undefined> {
    return (await this.execute(db, params))[0];
  }

  private compiledFor(db: Kysely<Database>) {
    const database = db.getExecutor().adapter;
    let entry = this.compiled.get(database);
    if (!entry) {
      // Unique strings stand for the parameters while compiling; their positions are the slots.
      const markers = new Map(this.names.map((name) => [`\u0000prepared:${name}:${Math.random()}`, name]));
      const placeholders = Object.fromEntries([...markers].map(([marker, name]) => [name, marker])) as {
        [K in keyof Params]: Params[K];
      };
      const query = this.build(db, placeholders).compile();
      const slots: Slot<Params>[] = query.parameters.map((value) => {
        const param = typeof value === "string" ? (markers.get(value) ?? null) : null;
        return { param, constant: value };
      });
      const used = new Set(slots.map((s) => s.param));
      const missing = this.names.filter((name) => !used.has(name));
      if (missing.length > 0) throw new Error(`prepared query does not use ${missing.join(", ")} as values`);
      entry = { query, slots };
      this.compiled.set(database, entry);
    }
    return entry;
  }
}

interface Slot<Params> {
  param: (keyof Params & string) | null;
  constant: unknown;
}
