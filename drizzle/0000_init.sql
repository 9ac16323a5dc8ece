CREATE TABLE `audio_files` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`name` text NOT NULL,
	`path` text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `audio_files_name` ON `audio_files` (`name`);--> statement-breakpoint
CREATE TABLE `polling_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`taskId` integer NOT NULL,
	`pollingId` integer NOT NULL,
	`questionCrmId` text NOT NULL,
	`phoneId` text NOT NULL,
	`phone` text NOT NULL,
	`result` text NOT NULL,
	`exten` text NOT NULL,
	`linkedId` text,
	`verboseCallId` text,
	`changeTime` real NOT NULL
);
--> statement-breakpoint
CREATE INDEX `polling_results_changeTime` ON `polling_results` (`changeTime`);--> statement-breakpoint
CREATE INDEX `polling_results_task` ON `polling_results` (`taskId`);--> statement-breakpoint
CREATE INDEX `polling_results_phoneId` ON `polling_results` (`phoneId`);--> statement-breakpoint
CREATE TABLE `pollings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`crmId` text NOT NULL,
	`name` text DEFAULT '' NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `pollings_crmId` ON `pollings` (`crmId`);--> statement-breakpoint
CREATE TABLE `question_actions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`questionId` integer NOT NULL,
	`pollingId` integer NOT NULL,
	`key` text NOT NULL,
	`action` text DEFAULT '' NOT NULL,
	`value` text,
	`valueOptions` text,
	`nextQuestion` text
);
--> statement-breakpoint
CREATE INDEX `question_actions_question` ON `question_actions` (`questionId`);--> statement-breakpoint
CREATE INDEX `question_actions_polling` ON `question_actions` (`pollingId`);--> statement-breakpoint
CREATE TABLE `questions` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`pollingId` integer NOT NULL,
	`crmId` text NOT NULL,
	`position` integer NOT NULL,
	`questionText` text,
	`questionFile` text,
	`lang` text DEFAULT 'ru-RU' NOT NULL,
	`timeout` integer DEFAULT 5 NOT NULL,
	`defPress` text,
	`type` text DEFAULT '' NOT NULL,
	`nextQuestion` text
);
--> statement-breakpoint
CREATE INDEX `questions_polling` ON `questions` (`pollingId`,`position`);--> statement-breakpoint
CREATE INDEX `questions_crmId` ON `questions` (`pollingId`,`crmId`);--> statement-breakpoint
CREATE TABLE `task_results` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`taskId` integer NOT NULL,
	`phoneId` text NOT NULL,
	`phone` text NOT NULL,
	`clientId` text DEFAULT '' NOT NULL,
	`linkedId` text,
	`verboseCallId` text,
	`callFile` text,
	`result` text DEFAULT '' NOT NULL,
	`outDialState` text,
	`inDialState` text,
	`state` text DEFAULT 'CreateTask' NOT NULL,
	`cause` text,
	`hangupCause` integer,
	`params` text DEFAULT '' NOT NULL,
	`changeTime` real NOT NULL,
	`countTry` integer,
	`attemptNumber` integer DEFAULT 1 NOT NULL,
	`timeCallAllow` integer DEFAULT 0 NOT NULL,
	`closeTime` real DEFAULT 0 NOT NULL,
	`timeOffsetMinutes` integer,
	`originatedAt` real
);
--> statement-breakpoint
CREATE INDEX `task_results_pick` ON `task_results` (`taskId`,`closeTime`,`state`,`id`);--> statement-breakpoint
CREATE INDEX `task_results_changeTime` ON `task_results` (`changeTime`);--> statement-breakpoint
CREATE INDEX `task_results_phoneId` ON `task_results` (`phoneId`);--> statement-breakpoint
CREATE INDEX `task_results_callFile` ON `task_results` (`callFile`);--> statement-breakpoint
CREATE INDEX `task_results_client` ON `task_results` (`taskId`,`clientId`);--> statement-breakpoint
CREATE INDEX `task_results_open` ON `task_results` (`closeTime`,`state`);--> statement-breakpoint
CREATE TABLE `tasks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`crmId` text DEFAULT '' NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`innerNum` text DEFAULT '' NOT NULL,
	`innerNumType` text DEFAULT 'exten' NOT NULL,
	`maxCountChannels` integer DEFAULT 1 NOT NULL,
	`state` integer DEFAULT 0 NOT NULL,
	`dialPrefix` text DEFAULT '' NOT NULL,
	`maxAttempt` integer DEFAULT 1 NOT NULL,
	`attemptUntilSignal` integer DEFAULT 0 NOT NULL,
	`timeStart` integer DEFAULT 0 NOT NULL,
	`timeEnd` integer DEFAULT 1440 NOT NULL,
	`tryInterval` integer DEFAULT 60 NOT NULL,
	`isCallback` integer DEFAULT 0 NOT NULL,
	`changeTime` real DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE INDEX `tasks_crmId` ON `tasks` (`crmId`);--> statement-breakpoint
CREATE INDEX `tasks_state` ON `tasks` (`state`);