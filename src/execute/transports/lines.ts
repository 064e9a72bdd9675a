import { StringDecoder } from 'node:string_decoder';

/** Splits a byte stream into lines for `onLine`, and keeps the whole text (capped) for the result. */
export class LineSplitter {
  private pending = '';
  private text = '';
  private readonly decoder = new StringDecoder('utf8');
  private static readonly MAX_KEPT = 1024 * 1024;

  constructor(private readonly onLine: (line: string) => void) {}

  /** Adds a chunk of output (a UTF-8 character split across chunks stays whole). */
  push(chunk: Buffer): void {
    this.pushText(this.decoder.write(chunk));
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
    const rest = this.decoder.end();
    if (rest) this.pushText(rest);
    if (this.pending !== '') this.onLine(this.pending.replace(/\r$/, ''));
    this.pending = '';
    return this.text;
  }
}
