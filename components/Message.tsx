/** A one-line status (loading, error). */
export function Message({ text, testId }: { text: string; testId: string }) {
  return (
    <p className="message" data-testid={testId} role="status">
      {text}
    </p>
  );
}
