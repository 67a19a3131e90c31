import { parseArgs } from "node:util";
import { startFakeSlack } from "./server";

// Runs the fake Slack on its own: `tsx fakes/slack/main.ts --port 4555 [--rotation]`.
// Point the app at it with SLACK_API_URL=http://127.0.0.1:4555/api/ SLACK_CLIENT_ID=fake-client-id SLACK_CLIENT_SECRET=fake-client-secret.

const { values } = parseArgs({
  options: { port: { type: "string", default: "4555" }, host: { type: "string", default: "127.0.0.1" }, rotation: { type: "boolean", default: false } },
});
const fake = await startFakeSlack({ port: Number(values.port), host: values.host, rotation: values.rotation });
console.log(`fake Slack listening on ${fake.url} (API ${fake.apiUrl}, client id ${fake.clientId})`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
