CREATE TABLE `settings` (
	`key` text PRIMARY KEY NOT NULL,
	`value` text NOT NULL,
	`changeTime` real NOT NULL
);
--> statement-breakpoint
ALTER TABLE `polling_results` ADD `recognizedText` text;--> statement-breakpoint
ALTER TABLE `polling_results` ADD `recognizeLabel` text;--> statement-breakpoint
ALTER TABLE `question_actions` ADD `needRecognize` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `question_actions` ADD `recognizeLabel` text;--> statement-breakpoint
ALTER TABLE `question_actions` ADD `crmResponseTemplate` text;--> statement-breakpoint
ALTER TABLE `tasks` ADD `amd` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `amdMessage` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `amdMessageFile` text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE `tasks` ADD `retryRules` text DEFAULT '' NOT NULL;