CREATE TABLE `client_phones` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clientId` integer NOT NULL,
	`phoneId` text NOT NULL,
	`phone` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `client_phones_phoneId` ON `client_phones` (`phoneId`);--> statement-breakpoint
CREATE INDEX `client_phones_client` ON `client_phones` (`clientId`);--> statement-breakpoint
CREATE TABLE `client_properties` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`clientId` integer NOT NULL,
	`key` text NOT NULL,
	`value` text DEFAULT '' NOT NULL,
	`auto` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `client_properties_client` ON `client_properties` (`clientId`);--> statement-breakpoint
CREATE TABLE `clients` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`crmId` text NOT NULL,
	`name` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `clients_crmId` ON `clients` (`crmId`);--> statement-breakpoint
CREATE TABLE `inbound_numbers` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`exten` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`okPollingId` integer,
	`failPollingId` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `inbound_numbers_exten` ON `inbound_numbers` (`exten`);