import { isSafeContent, isSafeName, MAX_JSON_DEPTH } from '@chatstream/protocol';
import { boundedErrorBody, MAX_ERROR_BODY_BYTES, MAX_ERROR_MESSAGES } from './error-body';
import { jsonShapeProblem, MAX_JSON_KEYS } from './json-shape';

/** `levels` arrays nested in each other, built without recursion. */
function nested(levels: number): unknown {
  let value: unknown[] = [];
  for (let i = 1; i < levels; i++) value = [value];
  return value;
}

describe('character rules', () => {
  it.each(['alice', 'Zoë', 'مرحبا', '🎉', 'a b', '👩‍💻'])('a name may be %j', (name) => expect(isSafeName(name)).toBe(true));

  it.each(['\u0000', '\u001f', '\n', '\t', '\u007f', '\u0080', '\u009f', '\u200e', '\u200f', '\u202a', '\u202e', '\u2066', '\u2069', '\ud800', '\udfff', 'x\udc00\ud800'])(
    'a name may not hold %j',
    (bad) => expect(isSafeName(`a${bad}b`)).toBe(false),
  );

  it.each(['line\nbreak', 'crlf\r\n', 'tab\t', 'rtl \u202e text', '🎉'])('content may be %j', (content) => expect(isSafeContent(content)).toBe(true));

  it.each(['\u0000', '\u0007', '\u000b', '\u000c', '\u001b', '\u007f', '\u0085', '\ud83d', '\ude00'])('content may not hold %j', (bad) =>
    expect(isSafeContent(`a${bad}b`)).toBe(false),
  );
});

describe('jsonShapeProblem', () => {
  it('passes flat objects and scalars', () => {
    expect(jsonShapeProblem({ type: 'text', content: 'hi', room: 'general' })).toBeUndefined();
    expect(jsonShapeProblem('text')).toBeUndefined();
    expect(jsonShapeProblem(null)).toBeUndefined();
  });

  it(`passes ${MAX_JSON_DEPTH} levels and refuses ${MAX_JSON_DEPTH + 1}`, () => {
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonShapeProblem(nested(MAX_JSON_DEPTH + 1))).toBe('is nested deeper than 16 levels');
    expect(jsonShapeProblem({ a: { b: nested(MAX_JSON_DEPTH - 1) } })).toBe('is nested deeper than 16 levels');
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(jsonShapeProblem({ extra: nested(100_000) })).toBe('is nested deeper than 16 levels');
  });

  it(`refuses more than ${MAX_JSON_KEYS} fields, counted at every depth`, () => {
    const many = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, i]));
    expect(jsonShapeProblem(many(MAX_JSON_KEYS))).toBeUndefined();
    expect(jsonShapeProblem(many(MAX_JSON_KEYS + 1))).toBe('has more than 1000 fields');
    expect(jsonShapeProblem({ a: many(600), b: many(600) })).toBe('has more than 1000 fields');
  });
});

describe('boundedErrorBody', () => {
  it("keeps Nest's shape", () => {
    expect(boundedErrorBody(404, { statusCode: 404, message: 'unknown room: x', error: 'Not Found' })).toEqual({
      statusCode: 404,
      message: 'unknown room: x',
      error: 'Not Found',
    });
  });

  it('adds the error phrase to a bare string response', () => {
    expect(boundedErrorBody(429, 'ThrottlerException: Too Many Requests')).toEqual({
      statusCode: 429,
      message: 'ThrottlerException: Too Many Requests',
      error: 'Too Many Requests',
    });
  });

  it(`keeps at most ${MAX_ERROR_MESSAGES} messages within ${MAX_ERROR_BODY_BYTES} bytes`, () => {
    const message = Array.from({ length: 10_000 }, (_, i) => `property ${i}${'\u0000'.repeat(1000)} should not exist`);
    const body = boundedErrorBody(400, { message, error: 'Bad Request' });
    expect(body.message.length).toBeGreaterThan(0);
    expect(body.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGES);
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
  });

  it('cuts one huge message without splitting a surrogate pair', () => {
    const body = boundedErrorBody(400, { message: '🎉'.repeat(50_000), error: 'Bad Request' });
    expect(Buffer.byteLength(JSON.stringify(body))).toBeLessThanOrEqual(MAX_ERROR_BODY_BYTES);
    expect((body.message as string).isWellFormed()).toBe(true);
  });
});
