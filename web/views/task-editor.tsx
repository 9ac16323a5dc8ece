/** Placeholder: being written. */
export function TaskEditorView({ params: _params }: { params: string[] }) {
  return <p>coming soon</p>;
}
