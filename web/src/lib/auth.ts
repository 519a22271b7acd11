/**
 * Sign-in state. The access token lives in memory only. The refresh token goes into an HttpOnly
 * cookie when the server supports it (login/refresh with `X-Auth-Cookie: 1`, API.md "Web app");
 * a server that still returns it in the body gets it kept in sessionStorage (this tab, until the
 * tab closes) — never localStorage.
 */
import { api, toApiError, unwrap, useTokens } from '../api/client';
import type { User } from '../api/types';
import { store } from './store';

const RT_KEY = 'attendance.rt';
const COOKIE_HEADER = { 'X-Auth-Cookie': '1' } as const;

export interface AuthState {
  status: 'unknown' | 'signed-out' | 'signed-in';
  user?: User;
}
export const auth = store<AuthState>({ status: 'unknown' });

let accessToken: string | undefined;
let refreshing: Promise<boolean> | undefined;

function keepRefreshToken(rt: string | undefined) {
  try {
    if (rt) sessionStorage.setItem(RT_KEY, rt);
    else sessionStorage.removeItem(RT_KEY);
  } catch {
    // Storage disabled: the sign-in lasts as long as the access token.
  }
}
function storedRefreshToken(): string | undefined {
  try {
    return sessionStorage.getItem(RT_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

interface TokenPair {
  jwt_token: string;
  refresh_token?: string;
}

async function doRefresh(): Promise<boolean> {
  const rt = storedRefreshToken();
  const res = await fetch('/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: rt ? { 'content-type': 'application/json', ...COOKIE_HEADER } : COOKIE_HEADER,
    body: rt ? JSON.stringify({ refresh_token: rt }) : undefined,
  }).catch(() => undefined);
  if (!res) return Boolean(accessToken); // offline: keep what we have
  if (!res.ok) {
    signedOut();
    return false;
  }
  const body = (await res.json()) as { data: TokenPair };
  accessToken = body.data.jwt_token;
  keepRefreshToken(body.data.refresh_token);
  return true;
}

useTokens({
  accessToken: () => accessToken,
  refresh() {
    refreshing ??= doRefresh().finally(() => {
      refreshing = undefined;
    });
    return refreshing;
  },
});

function signedOut() {
  accessToken = undefined;
  keepRefreshToken(undefined);
  auth.set({ status: 'signed-out' });
}

/** On load: a refresh token (cookie or this tab's storage) brings the sign-in back silently. */
export async function restoreSignIn(): Promise<void> {
  if (!(await doRefresh())) return signedOut();
  try {
    const user = unwrap(await api.GET('/auth/profile'));
    auth.set({ status: 'signed-in', user });
  } catch {
    signedOut();
  }
}

export async function signIn(email: string, password: string): Promise<User> {
  const r = await api.POST('/auth/login', {
    body: { email, password, device_info: navigator.userAgent.slice(0, 200) },
    headers: COOKIE_HEADER,
  });
  if (!r.data) throw toApiError(r.response, r.error);
  const d = r.data.data as TokenPair & { user: User };
  accessToken = d.jwt_token;
  keepRefreshToken(d.refresh_token);
  auth.set({ status: 'signed-in', user: d.user });
  return d.user;
}

export async function signOut(): Promise<void> {
  await api.POST('/auth/logout', { headers: COOKIE_HEADER }).catch(() => undefined);
  signedOut();
}

/** Ends every sign-in of this account: the other sessions one by one, then this one. */
export async function signOutEverywhere(): Promise<void> {
  try {
    const mine = unwrap(await api.GET('/auth/sessions'));
    const current = mine.find((s) => s.current)?.session_id;
    for (const s of mine) {
      if (s.session_id !== current) {
        await api.DELETE('/auth/sessions/{session_id}', { params: { path: { session_id: s.session_id } } });
      }
    }
  } finally {
    await signOut();
  }
}
