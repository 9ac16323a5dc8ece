/** Placeholder: being written. */
export function AgentsView({ params: _params }: { params: string[] }) {
  return <p>coming soon</p>;
}
