import { parseArgs } from "node:util";
import { startFakeFattureInCloud } from "./server";

// Runs the fake Fatture in Cloud on its own (the e2e config starts it): `tsx fakes/fattureincloud/main.ts --port 4556`.
// Point the app at it with FATTUREINCLOUD_API_URL=http://127.0.0.1:4556 FATTUREINCLOUD_CLIENT_ID=fake-fic-client-id FATTUREINCLOUD_CLIENT_SECRET=fake-fic-client-secret.

const { values } = parseArgs({ options: { port: { type: "string", default: "4556" }, host: { type: "string", default: "127.0.0.1" } } });
const fake = await startFakeFattureInCloud({ port: Number(values.port), host: values.host, portHint: "Choose another with --port." });
console.log(`fake Fatture in Cloud listening on ${fake.url} (client id ${fake.clientId}); an access token to paste: ${fake.issueToken()}`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
