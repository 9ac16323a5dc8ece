CREATE TABLE `dnc` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`taskId` integer DEFAULT 0 NOT NULL,
	`phoneId` text NOT NULL,
	`phone` text NOT NULL,
	`reason` text DEFAULT '' NOT NULL,
	`addedAt` real NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dnc_task_phone` ON `dnc` (`taskId`,`phoneId`);--> statement-breakpoint
CREATE INDEX `dnc_phone` ON `dnc` (`phoneId`);--> statement-breakpoint
CREATE TABLE `webhook_outbox` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`url` text NOT NULL,
	`event` text NOT NULL,
	`body` text NOT NULL,
	`idempotencyKey` text NOT NULL,
	`createdAt` real NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`nextAttemptAt` real NOT NULL,
	`deliveredAt` real,
	`lastError` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `webhook_outbox_key` ON `webhook_outbox` (`idempotencyKey`,`url`);--> statement-breakpoint
CREATE INDEX `webhook_outbox_due` ON `webhook_outbox` (`nextAttemptAt`) WHERE deliveredAt IS NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `callbackUrl` text DEFAULT '' NOT NULL;