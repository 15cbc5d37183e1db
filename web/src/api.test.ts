import { afterEach, describe, expect, it, vi } from "vitest";
import { allPages, api, ApiError, query, rememberCsrf } from "./api";

// A fetch that answers from a table of path -> [status, body], recording what it was sent.
function fakeFetch(answers: Record<string, [number, unknown]>) {
  const sent: { path: string; init: RequestInit }[] = [];
  vi.stubGlobal("fetch", async (path: string, init: RequestInit) => {
    sent.push({ path, init });
    const [status, body] = answers[path] ?? [404, { type: "https://tandem.example.org/problems/not-found", detail: "no" }];
    return new Response(status === 204 ? null : JSON.stringify(body), { status });
  });
  return sent;
}

const store = new Map<string, string>();
vi.stubGlobal("localStorage", {
  getItem: (k: string) => store.get(k) ?? null,
  setItem: (k: string, v: string) => void store.set(k, v),
  removeItem: (k: string) => void store.delete(k),
});

afterEach(() => store.clear());

describe("api", () => {
  it("sends the CSRF header on writes only", async () => {
    const sent = fakeFetch({ "/a": [200, { ok: true }] });
    rememberCsrf("csrf-1");
    await api.get("/a");
    await api.post("/a", { x: 1 });
    expect((sent[0].init.headers as Record<string, string>)["X-Tandem-CSRF"]).toBeUndefined();
    expect((sent[1].init.headers as Record<string, string>)["X-Tandem-CSRF"]).toBe("csrf-1");
    expect(sent[1].init.body).toBe('{"x":1}');
  });

  it("turns a problem into an ApiError naming the field", async () => {
    fakeFetch({ "/bad": [400, { type: "https://tandem.example.org/problems/invalid-argument", detail: "value: 0 to 10", field: "value" }] });
    const error = await api.post("/bad", {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).slug).toBe("invalid-argument");
    expect((error as ApiError).field).toBe("value");
    expect((error as ApiError).status).toBe(400);
  });

  it("follows next_after past an empty filtered page", async () => {
    fakeFetch({
      "/u?limit=2": [200, { items: [{ id: 1 }], next_after: 2 }],
      "/u?limit=2&after=2": [200, { items: [], next_after: 4 }],
      "/u?limit=2&after=4": [200, { items: [{ id: 5 }], next_after: null }],
    });
    expect(await allPages<{ id: number }>("/u", 2)).toEqual([{ id: 1 }, { id: 5 }]);
  });

  it("builds a query from the defined values only", () => {
    expect(query({ a: 1, b: undefined, c: "", d: "x y", e: false })).toBe("?a=1&d=x+y&e=false");
    expect(query({})).toBe("");
  });
});
