import { NextResponse } from "next/server";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { readJson, route } from "@/lib/http/route";
import { completeWaitpoint, completeWaitpointSchema } from "@/lib/workflow/runs";

export const dynamic = "force-dynamic";

const bodySchema = completeWaitpointSchema.extend({ token: z.string().min(10).max(200) });

/** Decides an approval through its signed single-use link: the token is the authorization. */
export const POST = route(async (request, context: { params: Promise<{ id: string }> }) => {
  const { id } = await context.params;
  const { token, ...decision } = bodySchema.parse(await readJson(request));
  return NextResponse.json(await completeWaitpoint(await getDb(), { token }, id, decision));
});
