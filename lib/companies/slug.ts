import { randomBytes } from "node:crypto";
import type { Db } from "@/lib/db";

export function slugify(name: string): string {
  const base = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40);
  return base || "company";
}

/** A slug no other company has: the name's slug, or the slug with a short random suffix. */
export async function uniqueSlug(db: Pick<Db, "company">, name: string): Promise<string> {
  const base = slugify(name);
  if (!(await db.company.findUnique({ where: { slug: base }, select: { id: true } }))) return base;
  return `${base}-${randomBytes(3).toString("hex")}`;
}
