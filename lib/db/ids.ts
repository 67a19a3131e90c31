import { randomBytes } from "node:crypto";

let counter = 0;
/**
 * A cuid-like id (time, counter, randomness) for rows our raw SQL writes, where Prisma's
 * @default(cuid()) does not apply: sortable enough by time, unique without a round trip.
 */
export const newRowId = () =>
  `c${Date.now().toString(36)}${(counter++ % 1_679_616).toString(36).padStart(4, "0")}${randomBytes(8).toString("hex").slice(0, 12)}`;
