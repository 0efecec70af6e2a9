/**
 * Performs the core's effects in order, with the journal as a write barrier:
 * the effects of a step wait until the step's records (and every earlier
 * step's) are durable, so nothing is acknowledged, forwarded or started on the
 * strength of a record that a crash could lose. The records of every step
 * that arrives while a write is under way go to disk together, with one fsync
 * (the journal's group commit): a thousand tasks changing state at once cost a
 * handful of fsyncs, not a thousand.
 */
import type { JournalRecord } from '../checkpoint/records.js';
import type { AgentEffect } from '../core/events.js';

/** Where records go: resolves once they (and all before them) are durable. */
export interface RecordSink {
  append(records: readonly JournalRecord[]): Promise<void>;
}

export class EffectPipeline {
  /** Steps whose effects wait for their records (or for an earlier waiting step). */
  private waiting = 0;
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly sink: () => RecordSink | undefined,
    private readonly perform: (effect: AgentEffect) => void,
    /** A record could not be made durable, or an effect failed: the agent cannot go on safely. */
    private readonly onFatal: (error: Error) => void,
  ) {}

  run(effects: readonly AgentEffect[]): void {
    const records: JournalRecord[] = [];
    const others: AgentEffect[] = [];
    for (const effect of effects) {
      if (effect.type === 'persist') records.push(effect.record);
      else others.push(effect);
    }
    if (records.length === 0 && this.waiting === 0) {
      this.performAll(others);
      return;
    }
    const sink = this.sink();
    if (records.length > 0 && sink === undefined) {
      this.onFatal(new Error('a record must be written before the agent has a journal (it is not registered)'));
      return;
    }
    // Appending now, not when the previous step is done, is what lets steps share an fsync.
    const durable = records.length > 0 && sink !== undefined ? sink.append(records) : undefined;
    this.waiting++;
    this.tail = this.tail
      .then(() => durable)
      .then(
        () => {
          this.waiting--;
          this.performAll(others);
        },
        (error: unknown) => {
          this.waiting--;
          this.onFatal(error instanceof Error ? error : new Error(String(error)));
        },
      );
  }

  /**
   * An effect that throws is a bug the agent cannot reason past (the effects
   * after it would be skipped): it stops, to recover from its journal, rather
   * than go on with a broken pipeline.
   */
  private performAll(effects: readonly AgentEffect[]): void {
    try {
      for (const effect of effects) this.perform(effect);
    } catch (error) {
      this.onFatal(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Resolves when every effect handed over so far has been performed. */
  drained(): Promise<void> {
    return this.tail;
  }
}
