/**
 * Loss and duplicate accounting. Every message carries its sender's index
 * and a per-sender sequence number starting at 0; a receiver keeps one
 * `SeqTracker` per sender it hears from. Messages of one sender normally
 * arrive in order, so the common case is one comparison; out-of-order
 * arrivals are remembered in a set until the gap closes.
 */
export class SeqTracker {
  /** Every seq below this was received. */
  private next = 0;
  private ahead?: Set<number>;
  unique = 0;
  duplicates = 0;

  /** Returns true the first time `seq` is seen, false for a duplicate. */
  record(seq: number): boolean {
    if (seq < this.next || this.ahead?.has(seq)) {
      this.duplicates++;
      return false;
    }
    this.unique++;
    if (seq === this.next) {
      this.next++;
      if (this.ahead) {
        while (this.ahead.delete(this.next)) this.next++;
        if (this.ahead.size === 0) this.ahead = undefined;
      }
    } else {
      (this.ahead ??= new Set()).add(seq);
    }
    return true;
  }

  /** Unique seqs received below `sent` (those at or above it were never sent). */
  uniqueBelow(sent: number): number {
    if (!this.ahead) return Math.min(this.next, sent);
    let n = Math.min(this.next, sent);
    for (const seq of this.ahead) if (seq < sent && seq >= this.next) n++;
    return n;
  }
}

/** What one receiving client got. */
export class ReceiverLedger {
  private readonly bySender = new Map<number, SeqTracker>();
  unique = 0;
  duplicates = 0;

  /** Returns true for a new message, false for a duplicate. */
  record(sender: number, seq: number): boolean {
    let tracker = this.bySender.get(sender);
    if (!tracker) this.bySender.set(sender, (tracker = new SeqTracker()));
    const fresh = tracker.record(seq);
    if (fresh) this.unique++;
    else this.duplicates++;
    return fresh;
  }

  /**
   * Messages this receiver should have got but did not, given how many each
   * sender of its audience sent, and messages it got that nobody sent to it.
   */
  account(audience: Iterable<number>, sent: ArrayLike<number>): { expected: number; lost: number; unexpected: number } {
    let expected = 0;
    let got = 0;
    const heard = new Set<number>();
    for (const sender of audience) {
      heard.add(sender);
      const count = sent[sender] ?? 0;
      expected += count;
      got += this.bySender.get(sender)?.uniqueBelow(count) ?? 0;
    }
    let unexpected = 0;
    for (const [sender, tracker] of this.bySender) if (!heard.has(sender)) unexpected += tracker.unique;
    return { expected, lost: expected - got, unexpected };
  }
}

/** Counts from all receivers of a run, added up. */
export interface DeliveryCounts {
  expected: number;
  delivered: number;
  lost: number;
  duplicates: number;
  /** Frames from a sender the receiver should not hear from. */
  unexpected: number;
}

export function emptyDelivery(): DeliveryCounts {
  return { expected: 0, delivered: 0, lost: 0, duplicates: 0, unexpected: 0 };
}

export function addDelivery(a: DeliveryCounts, b: DeliveryCounts): DeliveryCounts {
  return {
    expected: a.expected + b.expected,
    delivered: a.delivered + b.delivered,
    lost: a.lost + b.lost,
    duplicates: a.duplicates + b.duplicates,
    unexpected: a.unexpected + b.unexpected,
  };
}
