-- CreateEnum
CREATE TYPE "InboundEventStatus" AS ENUM ('accepted', 'rejected');

-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN     "enabledAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "InboundEvent" ADD COLUMN     "reason" TEXT,
ADD COLUMN     "status" "InboundEventStatus" NOT NULL DEFAULT 'accepted',
ADD COLUMN     "triggerType" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "workflowId" TEXT;

-- CreateTable
CREATE TABLE "WebhookSecret" (
    "workflowId" TEXT NOT NULL,
    "keyId" TEXT NOT NULL,
    "ciphertext" TEXT NOT NULL,
    "previousKeyId" TEXT,
    "previousCiphertext" TEXT,
    "previousExpiresAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "rotatedAt" TIMESTAMP(3),

    CONSTRAINT "WebhookSecret_pkey" PRIMARY KEY ("workflowId")
);

-- CreateTable
CREATE TABLE "EventOutbox" (
    "id" TEXT NOT NULL,
    "companyId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "deliveredAt" TIMESTAMP(3),

    CONSTRAINT "EventOutbox_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EventOutbox_deliveredAt_createdAt_idx" ON "EventOutbox"("deliveredAt", "createdAt");

-- CreateIndex
CREATE INDEX "InboundEvent_workflowId_receivedAt_idx" ON "InboundEvent"("workflowId", "receivedAt");

-- AddForeignKey
ALTER TABLE "InboundEvent" ADD CONSTRAINT "InboundEvent_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebhookSecret" ADD CONSTRAINT "WebhookSecret_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

