import { CLIENT_FRAME_TYPES } from '@chatstream/protocol';
import { jsonShapeProblem } from '../common/validation/json-shape';

/** Event name of frames that cannot be handled; their data is the reason. */
export const INVALID_FRAME = 'invalid_frame';

/**
 * `WsAdapter` message parser: routes a frame to the `@SubscribeMessage`
 * handler of its `type`. Anything unusable goes to the `INVALID_FRAME`
 * handler, which answers with an error frame (the adapter would otherwise
 * drop it silently).
 */
export function parseFrame(data: unknown): { event: string; data: unknown } {
  if (typeof data !== 'string') return invalid('binary frames are not supported; send JSON text');
  let frame: unknown;
  try {
    frame = JSON.parse(data);
  } catch {
    return invalid('frame is not valid JSON');
  }
  if (typeof frame !== 'object' || frame === null || Array.isArray(frame)) {
    return invalid('frame must be a JSON object');
  }
  // Before anything walks the frame (class-validator, an error's JSON.stringify).
  const problem = jsonShapeProblem(frame);
  if (problem) return invalid(`frame ${problem}`);
  const type = (frame as { type?: unknown }).type;
  if (typeof type !== 'string' || !(CLIENT_FRAME_TYPES as readonly string[]).includes(type)) {
    return invalid(`unknown frame type: ${typeof type === 'string' ? type.slice(0, 64) : typeof type}`);
  }
  return { event: type, data: frame };
}

function invalid(reason: string): { event: string; data: string } {
  return { event: INVALID_FRAME, data: reason };
}
