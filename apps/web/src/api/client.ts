/**
 * The one SDK client of the app (@prediction-markets/client, cookie sessions, same origin)
 * and its one socket. Every REST call and socket message of the UI goes through these.
 *
 * Session: on start `bootSession()` asks POST /api/auth/refresh (the refresh token is an
 * HTTP-only cookie) for an access token and the user; without a session the app is anonymous.
 * The SDK renews the access token before it expires and forwards it to the socket
 * (`session:refresh`). When renewal fails (`session_expired`), the app shows sign-in and comes
 * back to the page the user was on.
 */
import { PmClient, type PmSocket, type Result, type PmError } from '@prediction-markets/client';

export const client = new PmClient({ baseUrl: '', auth: 'cookie' });

let socketPromise: Promise<PmSocket> | null = null;

/** The app's socket, connected on first use; reconnects by itself (the SDK resubscribes books). */
export function getSocket(): Promise<PmSocket> {
  socketPromise ??= (async () => {
    for (;;) {
      const r = await client.connect({ connectTimeoutMs: 30_000, transports: ['websocket', 'polling'] });
      if (r.ok) return r.data;
      await new Promise((res) => setTimeout(res, 1000));
    }
  })();
  return socketPromise;
}

/** Close the socket (sign-out: the next one connects anonymous, or as the next user). */
export async function resetSocket(): Promise<void> {
  const p = socketPromise;
  socketPromise = null;
  if (p !== null) (await p).close();
}

/** The data of a Result, or throw its error (for TanStack Query); the thrown value is an `ApiFailure`. */
export function unwrapResult<T>(r: Result<T>): T {
  if (r.ok) return r.data;
  throw new ApiFailure(r.error);
}

/** A failed call as an Error (message = the API's message, `code` = its stable code). */
export class ApiFailure extends Error {
  readonly code: string;
  constructor(readonly error: PmError) {
    super(error.message);
    this.code = error.code;
  }
}

/** The text shown for a failure: the API's message, with its code. */
export function describeError(e: unknown): string {
  if (e instanceof ApiFailure) return `${e.message} (${e.code})`;
  if (e instanceof Error) return e.message;
  return String(e);
}
