/**
 * The signed-in user, for every component: `useSession()`. Sign in/up/out go through the SDK
 * (cookie sessions). The socket follows the session: the SDK forwards a new access token to
 * it (`session:refresh`), and sign-out reconnects it anonymous.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { schemas } from '@prediction-markets/shared';
import { client, getSocket, resetSocket, unwrapResult } from './client.ts';

export interface Session {
  /** null: anonymous; undefined: still finding out. */
  user: schemas.UserDto | null | undefined;
  /** True when a session ran out and could not be renewed (the app offers sign-in). */
  expired: boolean;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string): Promise<void>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const [user, setUser] = useState<schemas.UserDto | null | undefined>(undefined);
  const [expired, setExpired] = useState(false);
  const userRef = useRef(user);
  userRef.current = user;

  useEffect(() => {
    let alive = true;
    // The refresh cookie, if any, gives an access token and the user in one request.
    void client.refresh().then((r) => {
      if (alive) setUser(r.ok ? r.data.user : null);
    });
    const offSession = client.on('session', (s) => {
      setUser(s.user);
      setExpired(false);
    });
    const offExpired = client.on('session_expired', () => {
      // Only a session that existed can expire (an anonymous visitor's refresh also answers 401).
      if (userRef.current !== null && userRef.current !== undefined) setExpired(true);
      setUser(null);
    });
    return () => {
      alive = false;
      offSession();
      offExpired();
    };
  }, []);

  const afterSignIn = useCallback(async (u: schemas.UserDto) => {
    setUser(u);
    setExpired(false);
    queryClient.removeQueries({ queryKey: ['my-orders'] });
    // The socket learns the new token through session:refresh (SDK); reconnect only if it was another user.
    await getSocket();
  }, [queryClient]);

  const signIn = useCallback(async (email: string, password: string) => {
    const r = unwrapResult(await client.login({ email, password }));
    await afterSignIn(r.user);
  }, [afterSignIn]);

  const signUp = useCallback(async (email: string, password: string) => {
    const r = unwrapResult(await client.register({ email, password }));
    await afterSignIn(r.user);
  }, [afterSignIn]);

  const signOut = useCallback(async () => {
    await client.logout();
    await resetSocket();
    // A fresh page: every live book and private stream starts again as an anonymous visitor.
    window.location.reload();
  }, []);

  const value = useMemo(() => ({ user, expired, signIn, signUp, signOut }), [user, expired, signIn, signUp, signOut]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (s === null) throw new Error('useSession outside SessionProvider');
  return s;
}
