-- AlterTable
ALTER TABLE "Waitpoint" ADD COLUMN     "linkApprover" TEXT;

-- CreateIndex
CREATE INDEX "AuditLog_companyId_action_createdAt_idx" ON "AuditLog"("companyId", "action", "createdAt");

