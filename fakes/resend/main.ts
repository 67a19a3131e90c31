import { parseArgs } from "node:util";
import { startFakeResend } from "./server";

// Runs the fake Resend on its own: `tsx fakes/resend/main.ts --port 4557`. Point the app at it with
// RESEND_BASE_URL=http://127.0.0.1:4557 RESEND_API_KEY=re_fake_full_access_0000000000; its outbox
// is at /outbox (and /outbox.json).

const { values } = parseArgs({ options: { port: { type: "string", default: "4557" }, host: { type: "string", default: "127.0.0.1" } } });
const fake = await startFakeResend({ port: Number(values.port), host: values.host });
console.log(`fake Resend listening on ${fake.url} (outbox ${fake.url}/outbox)`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
