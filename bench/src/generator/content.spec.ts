import { encodeContent, isErrorFrame, scanContent, scanFrame, type Stamp } from './content';

const blank = (): Stamp => ({ step: -1, sender: -1, seq: -1, sentUs: -1 });

describe('benchmark message content', () => {
  const stamp: Stamp = { step: 3, sender: 917, seq: 12_345, sentUs: 1_764_086_400_123_456 };

  it('is exactly the message size, padded', () => {
    expect(encodeContent(stamp, 150)).toHaveLength(150);
    expect(encodeContent(stamp, 10).startsWith('b3.917.12345.')).toBe(true);
  });

  it('is read back from a raw server frame, wherever content sits among the fields', () => {
    const content = encodeContent(stamp, 150);
    const frame = { id: 'b1c7', type: 'text', content, sender: 'u917', sender_id: 'u917', room: 'r', timestamp: '2026-11-25T16:00:00.000Z' };
    const out = blank();
    expect(scanFrame(Buffer.from(JSON.stringify(frame)), out)).toBe(true);
    expect(out).toEqual(stamp);
    const reordered = { type: 'private', sender_id: 'u1', recipient: 'u2', content, id: 'x' };
    expect(scanFrame(Buffer.from(JSON.stringify(reordered)), blank())).toBe(true);
  });

  it('is read back from a decoded Socket.IO payload, keeping microsecond precision', () => {
    const out = blank();
    expect(scanContent(encodeContent(stamp, 150), out)).toBe(true);
    expect(out.sentUs).toBe(stamp.sentUs);
  });

  it('is not found in frames that are not benchmark messages', () => {
    const join = { id: '1', type: 'join', content: 'bob joined the room', sender: 'System', sender_id: '', room: 'r' };
    expect(scanFrame(Buffer.from(JSON.stringify(join)), blank())).toBe(false);
    expect(scanContent('bob joined the room', blank())).toBe(false);
    expect(scanContent('b1.2.x', blank())).toBe(false);
    expect(scanContent(undefined, blank())).toBe(false);
  });

  it('recognizes error frames', () => {
    expect(isErrorFrame(Buffer.from('{"type":"error","content":"not a member of room: r"}'))).toBe(true);
    expect(isErrorFrame(Buffer.from('{"type":"text","content":"error"}'))).toBe(false);
  });
});
