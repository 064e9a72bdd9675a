/** Splits a byte stream into lines for `onLine`, and keeps the whole text (capped) for the result. */
export class LineSplitter {
  private pending = '';
  private text = '';
  private static readonly MAX_KEPT = 1024 * 1024;

  constructor(private readonly onLine: (line: string) => void) {}

  /** Adds a chunk of output. */
  push(chunk: Buffer): void {
    this.pushText(chunk.toString('utf8'));
  }

  /** Adds text. */
  pushText(chunk: string): void {
    if (this.text.length < LineSplitter.MAX_KEPT) this.text += chunk;
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    for (const line of parts) this.onLine(line.replace(/\r$/, ''));
  }

  /** Flushes the last partial line and returns everything kept. */
  end(): string {
    if (this.pending !== '') this.onLine(this.pending);
    this.pending = '';
    return this.text;
  }
}
