/** Placeholder: being written. */
export function LiveCallsView({ params: _params }: { params: string[] }) {
  return <p>coming soon</p>;
}
