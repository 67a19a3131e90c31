import { z } from "zod";

// Fatture in Cloud's variables, merged into the one validated env (lib/config/env.ts).
export const fattureInCloudEnv = z.object({
  FATTUREINCLOUD_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe(
      'Client id of your Fatture in Cloud app (developer console); with FATTUREINCLOUD_CLIENT_SECRET it turns on "Connect Fatture in Cloud" (OAuth). A pasted access token works without them.',
    ),
  FATTUREINCLOUD_CLIENT_SECRET: z.string().min(1).optional().describe("Client secret of your Fatture in Cloud app."),
  FATTUREINCLOUD_API_URL: z
    .url({ message: "must be a URL such as https://api-v2.fattureincloud.it" })
    .default("https://api-v2.fattureincloud.it")
    .describe("Fatture in Cloud API v2 address (default https://api-v2.fattureincloud.it); point it at the fake (fakes/fattureincloud) for offline use."),
});

export type FattureInCloudEnv = z.output<typeof fattureInCloudEnv>;
