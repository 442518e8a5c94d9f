/**
 * The content of a benchmark message carries what a receiver needs to
 * account for it: `b<step>.<sender>.<seq>.<sent µs>.` then padding up to the
 * message size. Only digits, dots and letters: nothing JSON has to escape,
 * so a receiver can read it straight out of the raw frame bytes without
 * parsing the JSON (the generator must stay cheaper than the servers).
 */
export interface Stamp {
  step: number;
  sender: number;
  seq: number;
  /** Scheduled send time, wall-clock µs. */
  sentUs: number;
}

const PAD = 'x'.repeat(4000);

export function encodeContent(stamp: Stamp, size: number): string {
  const head = `b${stamp.step}.${stamp.sender}.${stamp.seq}.${Math.round(stamp.sentUs)}.`;
  return head.length >= size ? head : head + PAD.slice(0, size - head.length);
}

const KEY = Buffer.from('"content":"b');
const DOT = 0x2e;

/** Reads the stamp of a raw JSON frame into `out`; false when the frame carries none. */
export function scanFrame(frame: Buffer, out: Stamp): boolean {
  const at = frame.indexOf(KEY);
  return at >= 0 && readStamp(at + KEY.length, (i) => frame[i], frame.length, out);
}

/** Same, from a content string already decoded (Socket.IO hands us objects). */
export function scanContent(content: unknown, out: Stamp): boolean {
  if (typeof content !== 'string' || content.charCodeAt(0) !== 0x62 /* b */) return false;
  return readStamp(1, (i) => content.charCodeAt(i), content.length, out);
}

function readStamp(start: number, at: (i: number) => number | undefined, end: number, out: Stamp): boolean {
  let i = start;
  const fields = [0, 0, 0, 0];
  for (let f = 0; f < 4; f++) {
    let value = 0;
    let digits = 0;
    for (; i < end; i++) {
      const c = at(i) as number;
      if (c === DOT) break;
      if (c < 0x30 || c > 0x39) return false;
      value = value * 10 + (c - 0x30);
      digits++;
    }
    if (digits === 0 || i >= end) return false;
    fields[f] = value;
    i++; // the dot
  }
  out.step = fields[0];
  out.sender = fields[1];
  out.seq = fields[2];
  out.sentUs = fields[3];
  return true;
}

const ERROR_TYPE = Buffer.from('"type":"error"');

export function isErrorFrame(frame: Buffer): boolean {
  return frame.indexOf(ERROR_TYPE) >= 0;
}
