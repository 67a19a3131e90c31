"use server";

import { companyAction } from "@/lib/auth/action";
import { catalog } from "@/lib/catalog";
import { makePreferred, setPaused } from "@/lib/credentials/store";
import { chooseAccount, connectWithToken, disconnect, listAccounts, testConnection } from "@/lib/integrations/connections";
import { loadOptions } from "@/lib/integrations/options";
import { setConnectionDefaultChannel } from "@/lib/integrations/scopes";

export const connectWithTokenAction = companyAction((db, caller, input: unknown) => connectWithToken(db, caller, input, catalog));
export const testConnectionAction = companyAction((db, caller, input: unknown) => testConnection(db, caller, input, catalog));
export const disconnectAction = companyAction((db, caller, input: unknown) => disconnect(db, caller, input, catalog));
export const pauseConnectionAction = companyAction((db, caller, input: unknown) => setPaused(db, caller, input, true));
export const resumeConnectionAction = companyAction((db, caller, input: unknown) => setPaused(db, caller, input, false));
export const makePreferredAction = companyAction((db, caller, input: unknown) => makePreferred(db, caller, input));
/** Every picker of the editor (Slack channels, …): { loader: "slack.channels", connectionId?, search?, cursor? }. */
export const loadOptionsAction = companyAction((db, caller, input: unknown) => loadOptions(db, caller, input, catalog));
/** The accounts a connection can be bound to (Fatture in Cloud companies): { id }. */
export const listAccountsAction = companyAction((db, caller, input: unknown) => listAccounts(db, caller, input, catalog));
/** Binds a connection to another of them: { id, accountId }. */
export const chooseAccountAction = companyAction((db, caller, input: unknown) => chooseAccount(db, caller, input, catalog));
/** The company-level default channel of a connection, inherited by every workflow that sets none: { id, defaultChannel } ("" or null: none). */
export const setDefaultChannelAction = companyAction((db, caller, input: unknown) => setConnectionDefaultChannel(db, caller, input, catalog));
