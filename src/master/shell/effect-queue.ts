/**
 * The master's effects in the order the core produced them, held back behind
 * registry writes that are not durable yet (spec/core.md 5.2: a change is
 * written before it takes effect). With a synchronous store (SQLite, memory)
 * nothing is ever held and every effect runs as it is pushed. With
 * ZooKeeper, a write is sent at once (one session's writes are applied in
 * order, so they pipeline) and whatever follows it, messages, stream events
 * and replies, waits until ZooKeeper has it.
 *
 * A write that fails is not retried: the caller stops the master (the store
 * may have lost leadership), as Mesos' registrar aborts.
 */

type Entry = { readonly kind: 'run'; readonly run: () => void } | { readonly kind: 'durable'; readonly write: Write };

interface Write {
  done: boolean;
}

export class EffectQueue {
  private readonly held: Entry[] = [];
  private head = 0;

  /** Whether something is held behind a write. */
  get holding(): boolean {
    return this.head < this.held.length;
  }

  /** Runs `run` now, or after the writes pushed before it are durable. */
  push(run: () => void): void {
    if (!this.holding) return run();
    this.held.push({ kind: 'run', run });
  }

  /**
   * What follows waits for `written`; a synchronous store's write is done
   * already. If it fails, what follows is never run.
   */
  pushWrite(written: void | Promise<void>, onFailed: (error: unknown) => void): void {
    if (!(written instanceof Promise)) return;
    const write: Write = { done: false };
    this.held.push({ kind: 'durable', write });
    written.then(
      () => {
        write.done = true;
        this.release();
      },
      onFailed,
    );
  }

  /** Runs what is held, in order, up to the first write still in flight. */
  private release(): void {
    while (this.head < this.held.length) {
      const entry = this.held[this.head] as Entry;
      if (entry.kind === 'durable' && !entry.write.done) return;
      this.head += 1;
      if (entry.kind === 'run') entry.run();
    }
    this.held.length = 0;
    this.head = 0;
  }
}
