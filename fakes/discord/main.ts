import { parseArgs } from "node:util";
import { startFakeDiscord } from "./server";

// Runs the fake Discord on its own: `tsx fakes/discord/main.ts --port 4558 [--bot-token <token>]`. Point
// the app at it with DISCORD_API_URL=http://127.0.0.1:4558/api and the client id, secret and bot
// token it prints (--bot-token fixes the last, for an app configured before the fake starts).

const { values } = parseArgs({
  options: { port: { type: "string", default: "4558" }, host: { type: "string", default: "127.0.0.1" }, "bot-token": { type: "string" } },
});
const fake = await startFakeDiscord({ port: Number(values.port), host: values.host, ...(values["bot-token"] ? { botToken: values["bot-token"] } : {}) });
console.log(`fake Discord listening on ${fake.url} (API ${fake.apiUrl})`);
console.log(`  DISCORD_CLIENT_ID=${fake.clientId} DISCORD_CLIENT_SECRET=${fake.clientSecret} DISCORD_BOT_TOKEN=${fake.botToken}`);
const stop = () => void fake.close().then(() => process.exit(0));
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
