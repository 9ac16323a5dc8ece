CREATE INDEX `task_results_task_row` ON `task_results` (`taskId`,`id`);--> statement-breakpoint
CREATE INDEX `task_results_result` ON `task_results` (`taskId`,`result`,`id`);--> statement-breakpoint
CREATE INDEX `task_results_phone` ON `task_results` (`taskId`,`phone`);