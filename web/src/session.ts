// Who is signed in: loaded from /api/v1/me at start, set by sign-in, cleared by sign-out
// or by any 401 from the server.
import { createContext } from "preact";
import { useContext } from "preact/hooks";
import { api, rememberCsrf } from "./api";
import type { LoginResult, Me } from "./types";

export interface SessionState {
  me: Me | null;
  setMe: (me: Me | null) => void;
}

export const SessionContext = createContext<SessionState>({ me: null, setMe: () => {} });

export function useSession(): SessionState {
  return useContext(SessionContext);
}

// The signed-in account (use inside pages that are only shown when signed in).
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error("useMe outside a signed-in page");
  return me;
}

export async function signIn(email: string, password: string): Promise<Me> {
  const result = await api.post<LoginResult>("/api/v1/auth/login", { email, password });
  rememberCsrf(result.csrf_token);
  return api.get<Me>("/api/v1/me");
}

export async function signOut(): Promise<void> {
  try {
    await api.post("/api/v1/auth/logout");
  } finally {
    rememberCsrf(null);
  }
}

// Where each role starts.
export function homeOf(me: Me): string {
  switch (me.role) {
    case "client":
      return "/check-in";
    case "therapist":
      return "/caseload";
    case "supervisor":
      return "/supervision";
    case "admin":
      return "/admin";
  }
}
