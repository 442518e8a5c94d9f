import { audienceOf, outgoing } from './client-pool';

describe('who hears whom', () => {
  const rooms = { kind: 'rooms' as const, roomIds: ['r0', 'r1', 'r2'] };

  it('in rooms, a client hears every member of its room, itself included', () => {
    expect(audienceOf(4, 10, rooms)).toEqual([1, 4, 7]);
    expect(outgoing(4, 10, rooms, 'u', 'hi')).toEqual({ type: 'text', content: 'hi', room: 'r1' });
  });

  it('in pairs, a client hears itself and its partner', () => {
    expect(audienceOf(6, 10, { kind: 'pairs' })).toEqual([6, 7]);
    expect(audienceOf(7, 10, { kind: 'pairs' })).toEqual([7, 6]);
    expect(outgoing(7, 10, { kind: 'pairs' }, 'u', 'hi')).toEqual({ type: 'text', content: 'hi', recipient: 'u6' });
  });

  it('the odd client out of pairs sends nothing and hears only itself', () => {
    expect(audienceOf(10, 11, { kind: 'pairs' })).toEqual([10]);
    expect(outgoing(10, 11, { kind: 'pairs' }, 'u', 'hi')).toBeUndefined();
  });

  it('idle connections send nothing and hear nothing', () => {
    expect(audienceOf(0, 5, { kind: 'none' })).toEqual([]);
    expect(outgoing(0, 5, { kind: 'none' }, 'u', 'hi')).toBeUndefined();
  });
});
