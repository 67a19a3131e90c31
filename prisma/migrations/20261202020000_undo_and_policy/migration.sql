-- CreateEnum
CREATE TYPE "UndoStatus" AS ENUM ('queued', 'running', 'succeeded', 'failed');

-- AlterTable
ALTER TABLE "Company" ADD COLUMN     "policy" JSONB;

-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN     "policy" JSONB;

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "policy" JSONB;

-- AlterTable
ALTER TABLE "RunEffect" ADD COLUMN     "undoErrorCode" TEXT,
ADD COLUMN     "undoErrorMessage" TEXT,
ADD COLUMN     "undoErrorRemediation" TEXT,
ADD COLUMN     "undoId" TEXT;

-- CreateTable
CREATE TABLE "RunUndo" (
    "id" TEXT NOT NULL,
    "companyId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "status" "UndoStatus" NOT NULL DEFAULT 'queued',
    "requestedBy" TEXT NOT NULL,
    "requestedById" TEXT,
    "requestedByKey" TEXT,
    "leaseOwner" TEXT,
    "leaseExpiresAt" TIMESTAMP(3),
    "wakeAt" TIMESTAMP(3),
    "waits" INTEGER NOT NULL DEFAULT 0,
    "externalRunId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "RunUndo_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RunUndo_runId_createdAt_idx" ON "RunUndo"("runId", "createdAt");

-- CreateIndex
CREATE INDEX "RunUndo_status_createdAt_idx" ON "RunUndo"("status", "createdAt");

-- AddForeignKey
ALTER TABLE "RunEffect" ADD CONSTRAINT "RunEffect_undoId_fkey" FOREIGN KEY ("undoId") REFERENCES "RunUndo"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RunUndo" ADD CONSTRAINT "RunUndo_runId_fkey" FOREIGN KEY ("runId") REFERENCES "WorkflowRun"("id") ON DELETE CASCADE ON UPDATE CASCADE;

