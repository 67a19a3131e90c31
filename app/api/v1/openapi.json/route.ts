import { NextResponse } from "next/server";
import { openApiDocument } from "@/lib/api/openapi";
import { getEnv } from "@/lib/config/env";

export const dynamic = "force-dynamic";

/** Public: the API's description is no secret, and clients generate code from it. */
export function GET() {
  return NextResponse.json(openApiDocument(getEnv().appUrl));
}
