/**
 * Keeps the last lines written to a stream, so a failure can say what ffmpeg said last without
 * buffering everything it ever printed.
 */
export class LineTail {
  private readonly kept: string[] = [];
  private partial = "";

  constructor(private readonly maxLines = 20) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split(/\r?\n|\r/);
    this.partial = parts.pop() ?? "";
    for (const line of parts) this.keep(line);
  }

  /** The kept lines, the unfinished last one included. */
  lines(): string[] {
    return this.partial.trim() === "" ? [...this.kept] : [...this.kept, this.partial];
  }

  private keep(line: string): void {
    if (line.trim() === "") return;
    this.kept.push(line);
    if (this.kept.length > this.maxLines) this.kept.shift();
  }
}
