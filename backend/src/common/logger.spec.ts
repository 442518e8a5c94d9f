import { escapeLogText, EscapingConsoleLogger } from './logger';

/** What the logger wrote to stdout and stderr while `run` ran. */
function capture(run: () => void): string {
  let out = '';
  const spies = (['stdout', 'stderr'] as const).map((stream) =>
    jest.spyOn(process[stream], 'write').mockImplementation((chunk: string | Uint8Array) => {
      out += chunk.toString();
      return true;
    }),
  );
  try {
    run();
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
  return out;
}

const FORGED = 'user=eve\n[Nest] 1  - 12/01/2026, 9:00:00 AM     LOG [Connections] connection opened user=admin\u001b[2K\r';

describe('escapeLogText', () => {
  it.each([
    ['a line feed', 'a\nb', 'a\\x0ab'],
    ['a carriage return', 'a\rb', 'a\\x0db'],
    ['NUL and bell', '\u0000\u0007', '\\x00\\x07'],
    ['an ANSI escape', '\u001b[31mred', '\\x1b[31mred'],
    ['DEL and a C1 control', '\u007f\u0085', '\\x7f\\x85'],
    ['a line separator', 'a\u2028b', 'a\\u2028b'],
    ['a right-to-left override', 'a\u202eb', 'a\\u202eb'],
    ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
  ])('writes %s as an escape', (_name, text, escaped) => expect(escapeLogText(text)).toBe(escaped));

  it('leaves printable text alone, accents and emoji included', () => {
    expect(escapeLogText('Zoë 🎉 user=a-b_c tab-free')).toBe('Zoë 🎉 user=a-b_c tab-free');
  });
});

describe('EscapingConsoleLogger', () => {
  it('writes a message with a newline and escape codes as one line without control characters', () => {
    const sut = new EscapingConsoleLogger({ colors: false });
    const out = capture(() => sut.log(FORGED, 'Connections'));
    expect(out.split('\n')).toHaveLength(2); // one line and its terminating newline
    expect(out.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(out).toContain('user=eve\\x0a[Nest] 1');
  });

  it('without colours writes no escape codes of its own', () => {
    const sut = new EscapingConsoleLogger({ colors: false });
    expect(capture(() => sut.warn('plain', 'Ctx'))).not.toContain('\u001b');
  });

  it('with colours (a terminal) keeps its own colour codes but escapes the message', () => {
    const sut = new EscapingConsoleLogger({ colors: true });
    const out = capture(() => sut.log('hi\u001b[2J', 'Ctx'));
    expect(out).toContain('\u001b[32m'); // Nest's green for LOG
    expect(out).toContain('hi\\x1b[2J');
  });

  it('escapes stack traces line by line and indents lines that could pass for log lines', () => {
    const sut = new EscapingConsoleLogger({ colors: false });
    const error = new Error('bad name\n[Nest] 1  - forged LOG line\u001b[2K');
    const out = capture(() => sut.error('failed', error.stack, 'Ctx'));
    const lines = out.split('\n').filter((line) => line.length > 0);
    expect(lines.filter((line) => line.startsWith('[Nest]'))).toHaveLength(1);
    expect(out).not.toContain('\u001b');
  });

  it('logs an object on one line', () => {
    const sut = new EscapingConsoleLogger({ colors: false });
    const out = capture(() => sut.log({ name: 'a\nb', nested: { deep: true } }));
    expect(out.split('\n')).toHaveLength(2);
  });
});
