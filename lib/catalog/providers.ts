import { discord } from "@/lib/integrations/discord";
import { fattureInCloud } from "@/lib/integrations/fattureincloud";
import { resend } from "@/lib/integrations/resend";
import { slack } from "@/lib/integrations/slack";
import type { AnyIntegration } from "@/lib/integrations/types";

// The providers Flowline has. Kept apart from ./index.ts because the env schema (lib/config/env.ts)
// merges each provider's variables and must not load the engine to do so.
export const providers: readonly AnyIntegration[] = [slack, fattureInCloud, resend, discord];
