/** Placeholder: being written. */
export function CampaignView({ params: _params }: { params: string[] }) {
  return <p>coming soon</p>;
}
