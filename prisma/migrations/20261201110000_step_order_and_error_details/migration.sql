-- DropIndex
DROP INDEX "WorkflowRunStep_runId_startedAt_idx";

-- AlterTable
ALTER TABLE "WorkflowRun" ADD COLUMN     "errorRemediation" TEXT,
ADD COLUMN     "triggerSource" TEXT;

-- AlterTable
ALTER TABLE "WorkflowRunStep" ADD COLUMN     "errorRemediation" TEXT,
ADD COLUMN     "errorRetryable" BOOLEAN,
ADD COLUMN     "seq" INTEGER NOT NULL DEFAULT 0;

-- CreateIndex
CREATE INDEX "WorkflowRunStep_runId_seq_idx" ON "WorkflowRunStep"("runId", "seq");


-- Existing records: numbered in the order they used to be listed in.
UPDATE "WorkflowRunStep" AS s SET "seq" = n.seq
  FROM (SELECT id, row_number() OVER (PARTITION BY "runId" ORDER BY "startedAt", attempt, id) AS seq FROM "WorkflowRunStep") AS n
 WHERE s.id = n.id;

-- API starts were recorded as trigger type "api": they are manual runs started through the API.
UPDATE "WorkflowRun" SET "triggerSource" = 'api', "triggerType" = 'manual' WHERE "triggerType" = 'api';
UPDATE "WorkflowRun" SET "triggerSource" = 'ui' WHERE "triggerType" = 'manual' AND "triggerSource" IS NULL;
UPDATE "WorkflowRun" SET "triggerSource" = 'cli', "triggerType" = 'manual' WHERE "triggerType" = 'cli';
