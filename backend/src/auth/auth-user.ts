/** Who a request or connection is, as its session says. */
export interface AuthUser {
  id: string;
  username: string;
  sessionId: string;
}
