/**
 * Removes terminal escape sequences and the control characters XML 1.0 forbids (output lines come from the nodes:
 * untrusted).
 */
export function stripControl(text: string): string {
  return text
    .replace(/\u001b\[[0-9;?]*[ -/]*[@-~]/g, '')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/g, '');
}

/** Escapes text for HTML or XML content and attribute values (both quote kinds). */
export function escapeMarkup(text: string): string {
  return stripControl(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Seconds with three decimals, as JUnit's `time` attributes want them. */
export function junitSeconds(ms: number | null): string {
  return (Math.max(0, ms ?? 0) / 1000).toFixed(3);
}
