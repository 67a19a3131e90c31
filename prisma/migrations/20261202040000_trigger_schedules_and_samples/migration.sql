-- AlterTable
ALTER TABLE "Workflow" ADD COLUMN     "sampleListenUntil" TIMESTAMP(3),
ADD COLUMN     "triggerScheduleId" TEXT;
