/** Placeholder: import numbers / export results of one campaign; being written. */
export function CampaignFiles({ taskId: _taskId }: { taskId: number }) {
  return null;
}
