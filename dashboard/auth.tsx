import { createContext, useContext } from 'react';
import type { Client, Problem, Session } from './api.ts';

export interface Auth {
  session: Session;
  client: Client;
  signOut: () => void;
  /** Called when the server refuses the session (expired or revoked): back to the sign-in page, saying why. */
  onProblem: (problem: Problem) => void;
}

export const AuthContext = createContext<Auth | null>(null);

/** The signed-in organiser (pages under the organiser's layout only). */
export function useAuth(): Auth {
  const auth = useContext(AuthContext);
  if (!auth) throw new Error('useAuth outside the organiser layout');
  return auth;
}
