-- Dialer nodes (one per PBX) sharing the campaigns, and who owns a row in flight: the node and its epoch (its
-- fencing token) when it claimed the row, and inCall while its channels are up. Partial indexes keep the few calls
-- up and the numbers waiting for a retry time cheap to find among millions.
CREATE TABLE `nodes` (
	`id` text PRIMARY KEY NOT NULL,
	`epoch` integer DEFAULT 0 NOT NULL,
	`leaseUntil` real DEFAULT 0 NOT NULL,
	`startedAt` real DEFAULT 0 NOT NULL,
	`host` text DEFAULT '' NOT NULL,
	`dialing` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE `task_results` ADD `node` text;--> statement-breakpoint
ALTER TABLE `task_results` ADD `epoch` integer;--> statement-breakpoint
ALTER TABLE `task_results` ADD `inCall` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX `task_results_inflight` ON `task_results` (`taskId`,`node`) WHERE inCall = 1;--> statement-breakpoint
CREATE INDEX `task_results_waiting` ON `task_results` (`taskId`,`timeCallAllow`) WHERE closeTime = 0 AND state = 'CreateTask';