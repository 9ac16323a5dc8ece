/** Placeholder: being written. */
export function PollingsView({ params: _params }: { params: string[] }) {
  return <p>coming soon</p>;
}
