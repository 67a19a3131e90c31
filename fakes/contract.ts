import type { Db } from "@/lib/db";

// What each provider's fake tells the provider contract suite (tests/integrations/
// provider-contract.test.ts), in fakes/<provider>/contract.ts. The suite finds it by the
// provider's id, so every provider of the catalog is held to the same contract.
export type ProviderContract = {
  /** Starts the fake; `env` points the app's env at it. */
  start(): Promise<{
    /** Where its /__fake/ control endpoint is. */
    url: string;
    env: Record<string, string>;
    close(): Promise<void>;
    /** A company connection (with refreshable tokens where the provider's OAuth refreshes); returns its id. */
    connect(db: Db, companyId: string): Promise<string>;
  }>;
  /** An effectful action and the provider method (as the fake records it) that it calls. */
  sample: { nodeType: string; input: Record<string, unknown>; method: string };
  /** How the fake records calls of the token endpoint (providers whose OAuth refreshes). */
  tokenMethod?: string;
};
