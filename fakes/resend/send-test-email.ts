// `npm run sandbox:email -- <workflow id | address> [--resend-port 4557] [--app http://localhost:3000] [--subject …] [--text …]`:
// the CLI twin of the workflow page's "Send test email". The sandbox's fake Resend receives an
// email for the workflow's inbound address (a small PDF attached) and sends the app its signed
// email.received webhook, as Resend would. Works only against the sandbox (npm run dev:sandbox).
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    "resend-port": { type: "string", default: process.env.FAKE_RESEND_PORT ?? "4557" },
    app: { type: "string", default: process.env.APP_URL ?? "http://localhost:3000" },
    domain: { type: "string", default: process.env.INBOUND_EMAIL_DOMAIN ?? "inbound.localhost" },
    subject: { type: "string" },
    text: { type: "string" },
  },
});
const target = positionals[0];
if (!target) {
  console.error("usage: npm run sandbox:email -- <workflow id | address> [--resend-port 4557] [--app http://localhost:3000]");
  process.exit(2);
}
// The workflow's address is wf-<id>@<inbound domain> (lib/triggers/email-receiver.ts).
const to = target.includes("@") ? target : `wf-${target.toLowerCase()}@${values.domain}`;
const response = await fetch(`http://127.0.0.1:${values["resend-port"]}/sandbox/inbound`, {
  method: "POST",
  // the fake's full-access key (fakes/resend/server.ts), the sandbox's RESEND_API_KEY
  headers: { authorization: "Bearer re_fake_full_access_0000000000", "content-type": "application/json" },
  body: JSON.stringify({ to, webhookUrl: new URL("/api/inbound/resend", values.app).toString(), subject: values.subject, text: values.text }),
}).catch((error: unknown) => {
  console.error(`The fake Resend does not answer on port ${values["resend-port"]}: is npm run dev:sandbox running? (${String(error)})`);
  process.exit(1);
});
const answer = (await response.json()) as { emailId?: string; status?: number; message?: string };
if (!response.ok) {
  console.error(`The fake Resend refused: ${response.status} ${answer.message ?? ""}`);
  process.exit(1);
}
console.log(`Sent ${answer.emailId} to ${to}; the app answered ${answer.status} (202: a run started, 200: nothing addressed or a redelivery).`);
