interface Batch<Item, Result> {
  items: Item[];
  done: Promise<readonly Result[]>;
}

/**
 * Gathers what arrives in one turn of the event loop, and while the previous batch is being
 * written, into one batch for `write`. On SQLite's one connection a batch written in one
 * transaction is one commit, however many callers it answers (DESIGN.md section 10).
 *
 * Batches are written one after another, items in arrival order. Each caller gets its own item's
 * result, or the error of the batch it was in; a failed batch does not stop the next.
 */
export class TurnBatcher<Item, Result> {
  private next: Batch<Item, Result> | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(private readonly write: (items: readonly Item[]) => Promise<readonly Result[]>) {}

  async add(item: Item): Promise<Result> {
    const batch = this.batch();
    const index = batch.items.push(item) - 1;
    return (await batch.done)[index] as Result;
  }

  /** Resolves when everything added so far is written (or failed). */
  async idle(): Promise<void> {
    while (this.next) await this.next.done.catch(() => undefined);
    await this.writing;
  }

  private batch(): Batch<Item, Result> {
    if (this.next) return this.next;
    const items: Item[] = [];
    // The batch stays open for the rest of this turn of the event loop and until the previous write ends.
    const done = this.writing.then(
      () =>
        new Promise<readonly Result[]>((resolve, reject) => {
          setImmediate(() => {
            this.next = null;
            this.write(items).then(resolve, reject);
          });
        }),
    );
    const batch = { items, done };
    this.next = batch;
    this.writing = done.then(
      () => undefined,
      () => undefined,
    );
    return batch;
  }
}
