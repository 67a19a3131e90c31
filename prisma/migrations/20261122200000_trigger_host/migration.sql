-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "externalRunId" TEXT;

