import { NextResponse } from "next/server";
import { catalog } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";
import { receiveWebhook } from "@/lib/triggers/webhook-receiver";

export const dynamic = "force-dynamic";

/** A workflow's webhook: verified against its secret, 202 with the run it started (200 for a redelivery). */
export const POST = route(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { status, body } = await receiveWebhook(await getDb(), catalog, (await params).id, request);
  return NextResponse.json(body, { status });
});
