import { NextResponse } from "next/server";
import { getDatabase } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { readJson, route } from "@/lib/http/route";
import { isOperatorToken } from "@/lib/operator/endpoint";
import { operatorCommandSchema, operatorCommands } from "@/lib/operator/commands";

export const dynamic = "force-dynamic";

/** The CLI's way in while this process holds the embedded database (see lib/operator/endpoint.ts). */
export const POST = route(async (request) => {
  const token = request.headers.get("authorization")?.replace(/^Operator\s+/i, "") ?? null;
  if (!isOperatorToken(token)) {
    throw new AppError("unauthenticated", "Operator token required", { remediation: "Use `npm run flowline` on the machine that runs the app." });
  }
  const { command, args } = operatorCommandSchema.parse(await readJson(request));
  const result = await operatorCommands[command](await getDatabase(), args);
  return NextResponse.json({ result });
});
