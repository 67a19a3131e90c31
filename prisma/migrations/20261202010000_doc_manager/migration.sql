-- CreateEnum
CREATE TYPE "SignatureRequestStatus" AS ENUM ('pending', 'completed', 'declined', 'expired', 'cancelled');

-- CreateEnum
CREATE TYPE "SigningOrder" AS ENUM ('sequential', 'parallel');

-- CreateEnum
CREATE TYPE "SignerStatus" AS ENUM ('waiting', 'pending', 'signed', 'declined');

-- AlterEnum
ALTER TYPE "WaitpointKind" ADD VALUE 'signature';

-- AlterEnum (pending_signature becomes out_for_signature)
CREATE TYPE "DocumentStatus_new" AS ENUM ('draft', 'out_for_signature', 'partially_signed', 'completed', 'declined', 'expired', 'archived');
ALTER TABLE "Document" ALTER COLUMN "status" DROP DEFAULT;
ALTER TABLE "Document" ALTER COLUMN "status" TYPE "DocumentStatus_new"
  USING (CASE "status"::text WHEN 'pending_signature' THEN 'out_for_signature' ELSE "status"::text END::"DocumentStatus_new");
ALTER TYPE "DocumentStatus" RENAME TO "DocumentStatus_old";
ALTER TYPE "DocumentStatus_new" RENAME TO "DocumentStatus";
DROP TYPE "DocumentStatus_old";
ALTER TABLE "Document" ALTER COLUMN "status" SET DEFAULT 'draft';

-- DropIndex
DROP INDEX "SignatureRequest_tokenHash_key";

-- AlterTable
ALTER TABLE "Waitpoint" ADD COLUMN     "signatureRequestId" TEXT;

-- CreateTable
CREATE TABLE "StoredFile" (
    "id" TEXT NOT NULL,
    "companyId" TEXT NOT NULL,
    "filename" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "size" INTEGER NOT NULL,
    "sha256" TEXT NOT NULL,
    "createdById" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "StoredFile_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "FileChunk" (
    "fileId" TEXT NOT NULL,
    "seq" INTEGER NOT NULL,
    "data" BYTEA NOT NULL,

    CONSTRAINT "FileChunk_pkey" PRIMARY KEY ("fileId","seq")
);

-- AlterTable: each document's bytes move into a stored file of the same id, as one chunk
ALTER TABLE "Document" ADD COLUMN     "createdByRunId" TEXT,
ADD COLUMN     "fileId" TEXT,
ADD COLUMN     "folder" TEXT,
ADD COLUMN     "signedFileId" TEXT,
ADD COLUMN     "statusBeforeArchive" "DocumentStatus",
ADD COLUMN     "stepKey" TEXT,
ADD COLUMN     "tags" TEXT[] DEFAULT ARRAY[]::TEXT[];
INSERT INTO "StoredFile" ("id", "companyId", "filename", "contentType", "size", "sha256", "createdById", "createdAt")
  SELECT "id", "companyId", "name", "mimeType", "sizeBytes", "sha256", "createdById", "createdAt" FROM "Document";
INSERT INTO "FileChunk" ("fileId", "seq", "data") SELECT "id", 0, "content" FROM "Document";
UPDATE "Document" SET "fileId" = "id";
ALTER TABLE "Document" ALTER COLUMN "fileId" SET NOT NULL, DROP COLUMN "content";

-- No code made signature requests before this migration (the old one-signer shape is gone)
DELETE FROM "SignatureRequest";

-- AlterTable
ALTER TABLE "SignatureRequest" DROP COLUMN "signedAt",
DROP COLUMN "signerEmail",
DROP COLUMN "signerName",
DROP COLUMN "tokenHash",
ADD COLUMN     "createdById" TEXT,
ADD COLUMN     "createdByRunId" TEXT,
ADD COLUMN     "finishedAt" TIMESTAMP(3),
ADD COLUMN     "message" TEXT,
ADD COLUMN     "remindEveryHours" INTEGER,
ADD COLUMN     "signingOrder" "SigningOrder" NOT NULL DEFAULT 'parallel',
ADD COLUMN     "stepKey" TEXT,
DROP COLUMN "status",
ADD COLUMN     "status" "SignatureRequestStatus" NOT NULL DEFAULT 'pending',
ALTER COLUMN "expiresAt" SET NOT NULL;

-- DropEnum
DROP TYPE "SignatureStatus";

-- CreateTable
CREATE TABLE "Signer" (
    "id" TEXT NOT NULL,
    "companyId" TEXT NOT NULL,
    "requestId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "status" "SignerStatus" NOT NULL DEFAULT 'waiting',
    "tokenHash" TEXT,
    "tokenGeneration" INTEGER NOT NULL DEFAULT 0,
    "notifiedAt" TIMESTAMP(3),
    "remindedAt" TIMESTAMP(3),
    "signedAt" TIMESTAMP(3),
    "declinedAt" TIMESTAMP(3),
    "declineReason" TEXT,
    "signatureKind" TEXT,
    "signatureText" TEXT,
    "signatureImage" BYTEA,
    "ip" TEXT,
    "userAgent" TEXT,

    CONSTRAINT "Signer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DocumentEvent" (
    "id" TEXT NOT NULL,
    "companyId" TEXT NOT NULL,
    "documentId" TEXT NOT NULL,
    "requestId" TEXT,
    "signerId" TEXT,
    "kind" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "ip" TEXT,
    "userAgent" TEXT,
    "sha256" TEXT NOT NULL,
    "detail" JSONB,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DocumentEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "StoredFile_companyId_createdAt_idx" ON "StoredFile"("companyId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "Signer_tokenHash_key" ON "Signer"("tokenHash");

-- CreateIndex
CREATE INDEX "Signer_companyId_email_idx" ON "Signer"("companyId", "email");

-- CreateIndex
CREATE UNIQUE INDEX "Signer_requestId_position_key" ON "Signer"("requestId", "position");

-- CreateIndex
CREATE INDEX "DocumentEvent_documentId_createdAt_idx" ON "DocumentEvent"("documentId", "createdAt");

-- CreateIndex
CREATE INDEX "Waitpoint_signatureRequestId_idx" ON "Waitpoint"("signatureRequestId");

-- CreateIndex
CREATE UNIQUE INDEX "Document_stepKey_key" ON "Document"("stepKey");

-- CreateIndex
CREATE UNIQUE INDEX "SignatureRequest_stepKey_key" ON "SignatureRequest"("stepKey");

-- CreateIndex
CREATE INDEX "Document_companyId_folder_idx" ON "Document"("companyId", "folder");

-- CreateIndex
CREATE INDEX "SignatureRequest_companyId_status_idx" ON "SignatureRequest"("companyId", "status");

-- CreateIndex
CREATE INDEX "SignatureRequest_status_expiresAt_idx" ON "SignatureRequest"("status", "expiresAt");

-- AddForeignKey
ALTER TABLE "StoredFile" ADD CONSTRAINT "StoredFile_companyId_fkey" FOREIGN KEY ("companyId") REFERENCES "Company"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "FileChunk" ADD CONSTRAINT "FileChunk_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "StoredFile"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Document" ADD CONSTRAINT "Document_fileId_fkey" FOREIGN KEY ("fileId") REFERENCES "StoredFile"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Document" ADD CONSTRAINT "Document_signedFileId_fkey" FOREIGN KEY ("signedFileId") REFERENCES "StoredFile"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signer" ADD CONSTRAINT "Signer_companyId_fkey" FOREIGN KEY ("companyId") REFERENCES "Company"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Signer" ADD CONSTRAINT "Signer_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "SignatureRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DocumentEvent" ADD CONSTRAINT "DocumentEvent_companyId_fkey" FOREIGN KEY ("companyId") REFERENCES "Company"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DocumentEvent" ADD CONSTRAINT "DocumentEvent_documentId_fkey" FOREIGN KEY ("documentId") REFERENCES "Document"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DocumentEvent" ADD CONSTRAINT "DocumentEvent_requestId_fkey" FOREIGN KEY ("requestId") REFERENCES "SignatureRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DocumentEvent" ADD CONSTRAINT "DocumentEvent_signerId_fkey" FOREIGN KEY ("signerId") REFERENCES "Signer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

