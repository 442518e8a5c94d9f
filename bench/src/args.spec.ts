import { normalise, parseAccountsArguments, parseArguments, parseBurstArguments } from './args';

const parse = (...argv: string[]) => parseArguments(normalise(argv));

describe('bench arguments', () => {
  it('runs the quick suite with every default when given nothing', () => {
    expect(parse()).toMatchObject({ mode: 'quick', only: undefined, largeHistory: undefined, threads: undefined, docs: true });
  });

  it('reads --full, --only, --threads and --no-docs', () => {
    expect(parse('--full', '--only=fanout,storm', '--threads=3', '--no-docs')).toMatchObject({ mode: 'full', only: ['fanout', 'storm'], threads: 3, docs: false });
  });

  it('takes --history-1m alone as a million messages and adds its scenario to --only', () => {
    expect(parse('--only=fanout', '--history-1m')).toMatchObject({ largeHistory: 1_000_000, only: ['fanout', 'history-1m'] });
    expect(parse('--history-1m=200000')).toMatchObject({ largeHistory: 200_000 });
  });

  it('takes --changed-1m like --history-1m: a million messages alone, its scenario added to --only', () => {
    expect(parse('--only=fanout', '--changed-1m')).toMatchObject({ changedAfter: 1_000_000, only: ['fanout', 'changed-1m'] });
    expect(parse('--changed-1m=50000')).toMatchObject({ changedAfter: 50_000, largeHistory: undefined });
  });

  it('reads --half-rate: a comparison at a known rate', () => {
    expect(parse('--half-rate=200', '--only=fanout')).toMatchObject({ halfRate: 200, only: ['fanout'] });
  });

  it('keeps only the servers of --servers', () => {
    expect(parse('--servers=ws-durable,chatstream')).toMatchObject({ servers: ['ws-durable', 'chatstream'] });
  });

  it.each(['--servers=nginx', '--threads=x', '--threads=0', '--threads=1.5', '--history-1m=lots', '--changed-1m=0', '--compare=/nonexistent/checkout', '--half-rate=0', '--only=nonsense', '--quick --full', '--verbose', 'stray'])(
    'refuses "%s" instead of running with a wrong setting',
    (line) => {
      expect(() => parse(...line.split(' '))).toThrow();
    },
  );
});

describe('standalone bench arguments', () => {
  it('runs every part of the accounts bench, 3 rounds, into the docs, when given nothing', () => {
    expect(parseAccountsArguments([])).toMatchObject({ only: ['sign-in', 'storm', 'delivery', 'history'], rounds: 3, against: [], privateMessages: 200_000, docs: true });
  });

  it('reads the accounts bench\'s --only, --rounds, --against, --private-messages and --no-docs', () => {
    expect(parseAccountsArguments(['--only=delivery,sign-in', '--rounds=5', '--against=before=/tmp/old/dist,/tmp/other', '--private-messages=1000000', '--no-docs'])).toMatchObject({
      only: ['delivery', 'sign-in'],
      rounds: 5,
      against: [
        { label: 'before', dir: '/tmp/old/dist' },
        { label: 'build 3', dir: '/tmp/other' },
      ],
      privateMessages: 1_000_000,
      docs: false,
    });
  });

  it('reads the burst bench\'s phases from --only', () => {
    expect(parseBurstArguments([])).toMatchObject({ only: ['burst-off', 'burst-on', 'burst-on-large', 'slow', 'cpu'], rounds: 3 });
    expect(parseBurstArguments(['--only=cpu', '--rounds=1'])).toMatchObject({ only: ['cpu'], rounds: 1 });
  });

  it.each(['--only=history,login', '--rounds=x', '--rounds=0', '--private-messages=1e6', '--against', '--against=before=', 'history', '--threads=2'])('the accounts bench refuses "%s"', (arg) => {
    expect(() => parseAccountsArguments([arg])).toThrow();
  });

  it.each(['--only=burst', 'cpu', '--rounds=-1', '--against=/tmp'])('the burst bench refuses "%s" (phases used to be bare words, unchecked)', (arg) => {
    expect(() => parseBurstArguments([arg])).toThrow();
  });
});
