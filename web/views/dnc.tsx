/** Placeholder: being written. */
export function DncView({ params: _params }: { params: string[] }) {
  return <p>coming soon</p>;
}
