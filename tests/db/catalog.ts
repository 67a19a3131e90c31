import type { SqlSession } from "@/lib/db/migrations";

// A comparable description of everything Prisma models in a database: enums, columns (type,
// nullability, default), indexes, and primary-key, unique, foreign-key and check constraints.
export async function describeCatalog(session: SqlSession) {
  const enums = await session.query<{ name: string; labels: string }>(
    `SELECT t.typname AS name, string_agg(e.enumlabel, ',' ORDER BY e.enumsortorder) AS labels
       FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid JOIN pg_namespace n ON n.oid = t.typnamespace
      WHERE n.nspname = 'public' GROUP BY t.typname ORDER BY t.typname`,
  );
  const columns = await session.query<Record<string, string | null>>(
    `SELECT table_name, column_name, data_type, udt_name, is_nullable, column_default,
            character_maximum_length::text AS max_length, datetime_precision::text AS precision
       FROM information_schema.columns
      WHERE table_schema = 'public' AND table_name <> '_prisma_migrations'
      ORDER BY table_name, column_name`,
  );
  const indexes = await session.query<{ indexname: string; indexdef: string }>(
    `SELECT indexname, indexdef FROM pg_indexes
      WHERE schemaname = 'public' AND tablename <> '_prisma_migrations' ORDER BY indexname`,
  );
  const constraints = await session.query<{ table: string; name: string; type: string; definition: string }>(
    `SELECT c.conrelid::regclass::text AS table, c.conname AS name, c.contype::text AS type, pg_get_constraintdef(c.oid) AS definition
       FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
      WHERE n.nspname = 'public' AND c.conrelid::regclass::text <> '_prisma_migrations' AND c.contype IN ('p', 'u', 'f', 'c')
      ORDER BY 1, 2`,
  );
  return { enums, columns, indexes, constraints };
}
