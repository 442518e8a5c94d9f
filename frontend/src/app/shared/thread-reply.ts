import type { PrivateTextFrame, RoomTextFrame } from '@chatstream/protocol';
import type { ChatSocket } from '../core/chat-socket.service';

/**
 * Sends the reply of an open thread (room or private) at once, or says why
 * it cannot: replies are not queued while offline. `frame` is null when no
 * thread is open.
 */
export function sendThreadReply(socket: ChatSocket, frame: RoomTextFrame | PrivateTextFrame | null): string | null {
  if (!frame || !frame.content.trim()) return 'Nothing to send.';
  if (socket.state() !== 'connected') return 'Offline: replies need a connection.';
  socket.send(frame);
  return null;
}
