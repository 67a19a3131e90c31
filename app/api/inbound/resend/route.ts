import { NextResponse } from "next/server";
import { catalog } from "@/lib/catalog";
import { getDb } from "@/lib/db";
import { route } from "@/lib/http/route";
import { receiveInboundEmail } from "@/lib/triggers/email-receiver";

export const dynamic = "force-dynamic";

/** Resend's email.received webhook (Svix-signed): starts the workflows the email was addressed to. */
export const POST = route(async (request: Request) => {
  const { status, body } = await receiveInboundEmail(await getDb(), catalog, request);
  return NextResponse.json(body, { status });
});
