-- AlterTable
ALTER TABLE "Credential" ADD COLUMN     "defaultChannel" TEXT;

-- CreateTable
CREATE TABLE "WorkflowConnection" (
    "id" TEXT NOT NULL,
    "companyId" TEXT NOT NULL,
    "workflowId" TEXT NOT NULL,
    "appId" TEXT NOT NULL,
    "credentialId" TEXT,
    "defaultChannel" TEXT,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "WorkflowConnection_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkflowConnection_companyId_appId_idx" ON "WorkflowConnection"("companyId", "appId");

-- CreateIndex
CREATE UNIQUE INDEX "WorkflowConnection_workflowId_appId_key" ON "WorkflowConnection"("workflowId", "appId");

-- AddForeignKey
ALTER TABLE "WorkflowConnection" ADD CONSTRAINT "WorkflowConnection_companyId_fkey" FOREIGN KEY ("companyId") REFERENCES "Company"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WorkflowConnection" ADD CONSTRAINT "WorkflowConnection_workflowId_fkey" FOREIGN KEY ("workflowId") REFERENCES "Workflow"("id") ON DELETE CASCADE ON UPDATE CASCADE;

