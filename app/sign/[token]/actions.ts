"use server";

import { publicAction } from "@/lib/auth/action";
import { clientOf, requestHeaders } from "@/lib/documents/http";
import { decline, sign } from "@/lib/documents/signing";

// The signing page's two answers. No session: the token in the input is the authorization,
// checked by lib/documents (signed, single use, expiring, this signer's turn).

export const signDocumentAction = publicAction(async (db, input: unknown) => sign(db, input, clientOf(await requestHeaders())));

export const declineDocumentAction = publicAction(async (db, input: unknown) => decline(db, input, clientOf(await requestHeaders())));
