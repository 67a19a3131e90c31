import { z } from "zod";

// Slack's variables, merged into the one validated env (lib/config/env.ts).
export const slackEnv = z.object({
  SLACK_CLIENT_ID: z
    .string()
    .min(1)
    .optional()
    .describe('Client id of your Slack app; with SLACK_CLIENT_SECRET it turns on "Connect Slack" (OAuth). A pasted bot token works without them.'),
  SLACK_CLIENT_SECRET: z.string().min(1).optional().describe("Client secret of your Slack app."),
  SLACK_API_URL: z
    .url({ message: "must be a URL such as https://slack.com/api/" })
    .default("https://slack.com/api/")
    .describe("Slack Web API address (default https://slack.com/api/); point it at the fake (fakes/slack) for offline use."),
});

export type SlackEnv = z.output<typeof slackEnv>;
