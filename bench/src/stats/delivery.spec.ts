import { addDelivery, emptyDelivery, ReceiverLedger, SeqTracker } from './delivery';

describe('sequence tracking per sender', () => {
  it('counts messages in order as unique', () => {
    const sut = new SeqTracker();
    for (let seq = 0; seq < 5; seq++) expect(sut.record(seq)).toBe(true);
    expect(sut.unique).toBe(5);
    expect(sut.duplicates).toBe(0);
  });

  it('counts a message seen twice as a duplicate, in order or not', () => {
    const sut = new SeqTracker();
    sut.record(0);
    sut.record(2);
    expect(sut.record(0)).toBe(false);
    expect(sut.record(2)).toBe(false);
    expect(sut.duplicates).toBe(2);
    expect(sut.unique).toBe(2);
  });

  it('accepts out-of-order arrivals and closes the gap when the missing one comes', () => {
    const sut = new SeqTracker();
    [3, 1, 0, 2, 4].forEach((seq) => expect(sut.record(seq)).toBe(true));
    expect(sut.uniqueBelow(5)).toBe(5);
    expect(sut.record(1)).toBe(false);
  });

  it('counts only what was sent: a gap is a loss', () => {
    const sut = new SeqTracker();
    [0, 1, 3].forEach((seq) => sut.record(seq));
    expect(sut.uniqueBelow(4)).toBe(3);
    expect(sut.uniqueBelow(2)).toBe(2);
  });
});

describe('receiver accounting', () => {
  it('finds what each sender of the audience sent but the receiver never got', () => {
    const sut = new ReceiverLedger();
    [0, 1, 2].forEach((seq) => sut.record(7, seq));
    [0, 2].forEach((seq) => sut.record(8, seq));
    const sent = { 7: 3, 8: 4, 9: 2 } as unknown as ArrayLike<number>;
    expect(sut.account([7, 8, 9], sent)).toEqual({ expected: 9, lost: 9 - 5, unexpected: 0 });
  });

  it('flags messages from senders outside the audience', () => {
    const sut = new ReceiverLedger();
    sut.record(1, 0);
    sut.record(42, 0);
    expect(sut.account([1], [0, 1])).toEqual({ expected: 1, lost: 0, unexpected: 1 });
  });

  it('counts duplicates across senders', () => {
    const sut = new ReceiverLedger();
    sut.record(1, 0);
    sut.record(1, 0);
    sut.record(2, 0);
    expect(sut.duplicates).toBe(1);
    expect(sut.unique).toBe(2);
  });

  it('adds counts of several receivers', () => {
    const one = { expected: 10, delivered: 9, lost: 1, duplicates: 2, unexpected: 0 };
    expect(addDelivery(addDelivery(emptyDelivery(), one), one)).toEqual({ expected: 20, delivered: 18, lost: 2, duplicates: 4, unexpected: 0 });
  });
});
