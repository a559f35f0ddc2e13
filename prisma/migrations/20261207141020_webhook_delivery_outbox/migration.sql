-- AlterTable
ALTER TABLE "webhook_deliveries" ALTER COLUMN "body" DROP NOT NULL;
