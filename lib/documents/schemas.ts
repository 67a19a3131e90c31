import { z } from "zod";

// The Doc Manager's contracts, shared by the API (lib/api/operations.ts), the pages, the signing
// page and the workflow actions (lib/integrations/docmanager).

export const documentLimits = {
  /** 10 MiB: a scanned contract fits; a video does not. */
  maxBytes: 10 * 1024 * 1024,
  maxNameLength: 200,
  maxTags: 20,
  maxSigners: 20,
  maxExpiryDays: 90,
} as const;

export const documentStatuses = ["draft", "out_for_signature", "partially_signed", "completed", "declined", "expired", "archived"] as const;
export const documentStatusSchema = z.enum(documentStatuses);
export type DocumentStatus = z.infer<typeof documentStatusSchema>;

/** What people call each status (list, detail, filters). */
export const statusLabels: Record<DocumentStatus, string> = {
  draft: "Draft",
  out_for_signature: "Out for signature",
  partially_signed: "Partially signed",
  completed: "Completed",
  declined: "Declined",
  expired: "Expired",
  archived: "Archived",
};

const folder = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[^/\\]+$/, "A folder name cannot contain / or \\");
const tag = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[\p{L}\p{N} _.-]+$/u, "Tags use letters, digits, spaces, _ . and -");

export const documentMetaSchema = z.object({
  folder: folder.nullable().optional(),
  tags: z.array(tag).max(documentLimits.maxTags).optional(),
});

export const updateDocumentSchema = documentMetaSchema.extend({
  name: z.string().trim().min(1).max(documentLimits.maxNameLength).optional(),
});

export const listDocumentsSchema = z.object({
  q: z.string().trim().max(200).optional(),
  folder: z.string().trim().max(200).optional(),
  tag: z.string().trim().max(64).optional(),
  status: documentStatusSchema.optional(),
  cursor: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

export const signerInputSchema = z.object({
  name: z.string().trim().min(1, "Name the signer").max(200),
  email: z.email("Not an email address").max(320),
});

export const signatureRequestInputSchema = z.object({
  signers: z.array(signerInputSchema).min(1, "Add at least one signer").max(documentLimits.maxSigners),
  order: z.enum(["parallel", "sequential"]).default("parallel"),
  message: z.string().trim().max(5000).optional(),
  expiresInDays: z.number().int().min(1).max(documentLimits.maxExpiryDays).default(14),
  remindEveryHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .nullable()
    .optional(),
});
export type SignatureRequestInput = z.input<typeof signatureRequestInputSchema>;

export const signSchema = z
  .object({
    token: z.string().min(1).max(500),
    consent: z.literal(true, { error: "Tick the box to agree to sign electronically" }),
    signature: z.discriminatedUnion("kind", [
      z.object({ kind: z.literal("typed"), text: z.string().trim().min(2, "Type your full name").max(200) }),
      z.object({
        kind: z.literal("drawn"),
        // A PNG data URL from the signature pad; capped, and checked as a PNG before it is kept.
        dataUrl: z
          .string()
          .max(400_000, "The drawing is too large")
          .regex(/^data:image\/png;base64,[A-Za-z0-9+/=]+$/, "The drawing must be a PNG"),
      }),
    ]),
  })
  .strict();
export type SignInput = z.input<typeof signSchema>;

export const declineSchema = z.object({ token: z.string().min(1).max(500), reason: z.string().trim().min(1, "Say why you decline").max(2000) }).strict();

const iso = z.string();

export const documentSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  folder: z.string().nullable(),
  tags: z.array(z.string()),
  status: documentStatusSchema,
  mimeType: z.string(),
  sizeBytes: z.number(),
  sha256: z.string(),
  createdAt: iso,
  updatedAt: iso,
  completedAt: iso.nullable(),
  hasSignedCopy: z.boolean(),
});
export type DocumentSummary = z.infer<typeof documentSummarySchema>;

export const signerSummarySchema = z.object({
  id: z.string(),
  position: z.number(),
  name: z.string(),
  email: z.string(),
  status: z.enum(["waiting", "pending", "signed", "declined"]),
  notifiedAt: iso.nullable(),
  signedAt: iso.nullable(),
  declinedAt: iso.nullable(),
  declineReason: z.string().nullable(),
});

export const signatureRequestSummarySchema = z.object({
  id: z.string(),
  status: z.enum(["pending", "completed", "declined", "expired", "cancelled"]),
  order: z.enum(["parallel", "sequential"]),
  message: z.string().nullable(),
  expiresAt: iso,
  remindEveryHours: z.number().nullable(),
  createdAt: iso,
  finishedAt: iso.nullable(),
  signers: z.array(signerSummarySchema),
});
export type SignatureRequestSummary = z.infer<typeof signatureRequestSummarySchema>;

export const documentEventSchema = z.object({
  id: z.string(),
  kind: z.string(),
  actor: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  sha256: z.string(),
  detail: z.unknown(),
  createdAt: iso,
});

export const documentDetailSchema = documentSummarySchema.extend({
  requests: z.array(signatureRequestSummarySchema),
  history: z.array(documentEventSchema),
});
export type DocumentDetail = z.infer<typeof documentDetailSchema>;
