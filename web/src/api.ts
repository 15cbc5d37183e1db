// The one way the app talks to `tandem serve`: same-origin fetch with the session cookie,
// the CSRF header on every unsafe method, and RFC 9457 problems turned into ApiError
// (status, stable type slug, detail and the offending field).

const CSRF_KEY = "tandem.csrf";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly detail: string,
    readonly field?: string,
  ) {
    super(detail);
  }
  // The last segment of the problem type: "invalid-argument", "not-found", ...
  get slug(): string {
    return this.type.split("/").pop() ?? "";
  }
}

type Listener = () => void;
const unauthenticatedListeners = new Set<Listener>();

// Called when the server says the session is gone (401), so the app can show sign-in.
export function onUnauthenticated(listener: Listener): () => void {
  unauthenticatedListeners.add(listener);
  return () => unauthenticatedListeners.delete(listener);
}

export function rememberCsrf(token: string | null): void {
  if (token) localStorage.setItem(CSRF_KEY, token);
  else localStorage.removeItem(CSRF_KEY);
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET") {
    const csrf = localStorage.getItem(CSRF_KEY);
    if (csrf) headers["X-Tandem-CSRF"] = csrf;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "offline", "We could not reach Tandem. Check the connection and try again.");
  }
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text) {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    const problem = (parsed ?? {}) as { type?: string; detail?: string; title?: string; field?: string };
    const error = new ApiError(
      response.status,
      problem.type ?? `status-${response.status}`,
      problem.detail ?? problem.title ?? `The server answered ${response.status}.`,
      problem.field,
    );
    if (response.status === 401 && !path.endsWith("/auth/login")) {
      unauthenticatedListeners.forEach((listener) => listener());
    }
    throw error;
  }
  return parsed as T;
}

export const api = {
  get: <T>(path: string) => request<T>("GET", path),
  post: <T>(path: string, body?: unknown) => request<T>("POST", path, body ?? {}),
  put: <T>(path: string, body?: unknown) => request<T>("PUT", path, body ?? {}),
};

// "?a=1&b=x" from the defined entries only.
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

// Every page of a keyset-paged list ({items, next_after}).
export async function allPages<T>(path: string, limit = 200): Promise<T[]> {
  const items: T[] = [];
  let after: number | null = null;
  for (;;) {
    const separator = path.includes("?") ? "&" : "?";
    const page: { items: T[]; next_after: number | null } = await api.get(
      `${path}${separator}limit=${limit}${after !== null ? `&after=${after}` : ""}`,
    );
    items.push(...page.items);
    // A filtered list (?role=) may send an empty page with more after it: follow next_after.
    if (page.next_after === null || page.next_after === after) return items;
    after = page.next_after;
  }
}
