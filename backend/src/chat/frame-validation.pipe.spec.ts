import { WsException } from '@nestjs/websockets';
import { MembershipFrameDto, TextFrameDto } from './dto/frames.dto';
import { FrameValidationPipe } from './frame-validation.pipe';

describe('FrameValidationPipe', () => {
  const pipe = new FrameValidationPipe([TextFrameDto, MembershipFrameDto]);
  const asText = { type: 'body' as const, metatype: TextFrameDto };

  const problem = (value: unknown, metatype: unknown = TextFrameDto): string => {
    try {
      pipe.transform(value, { type: 'body', metatype: metatype as never });
    } catch (error) {
      expect(error).toBeInstanceOf(WsException);
      return (error as WsException).message;
    }
    throw new Error('the frame was accepted');
  };

  it('gives a valid frame to the handler as its DTO, without the fields the DTO does not know', () => {
    const dto = pipe.transform({ type: 'text', content: 'hi', room: 'general', admin: true }, asText);
    expect(dto).toBeInstanceOf(TextFrameDto);
    expect(dto).toEqual({ type: 'text', content: 'hi', room: 'general' });
  });

  it('names the first broken rule, in the words of the DTO', () => {
    expect(problem({ type: 'text', content: 42, room: 'general' })).toBe('content must be a string');
    expect(problem({ type: 'text', content: 'hi', room: 7 })).toBe('room must be a string');
    expect(problem({ type: 'join_room' }, MembershipFrameDto)).toBe('content must be a room id');
  });

  it('passes other parameters through untouched', () => {
    const socket = { any: 'object' };
    expect(pipe.transform(socket, { type: 'custom', metatype: Object })).toBe(socket);
    expect(pipe.transform('a reason', { type: 'body', metatype: String })).toBe('a reason');
  });
});
