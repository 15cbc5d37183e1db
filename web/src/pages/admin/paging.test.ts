import { describe, expect, it } from "vitest";
import type { Page } from "../../types";
import { everyRow, gatherPage } from "./paging";

// Ten users, ids 1..10, pages of three; only even ids pass the filter, as a server that
// filters within each page would answer.
function server(filter: (id: number) => boolean = (id) => id % 2 === 0) {
  const asked: (number | null)[] = [];
  const fetchPage = async (after: number | null): Promise<Page<number>> => {
    asked.push(after);
    const start = after ?? 0;
    const ids = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].filter((id) => id > start).slice(0, 3);
    const last = ids[ids.length - 1];
    return { items: ids.filter(filter), next_after: last !== undefined && last < 10 ? last : null };
  };
  return { fetchPage, asked };
}

describe("gatherPage", () => {
  it("keeps asking past short and empty pages until it has enough", async () => {
    const { fetchPage, asked } = server((id) => id >= 7);
    const page = await gatherPage(fetchPage, null, 2);
    expect(page).toEqual({ items: [7, 8, 9], next_after: 9 });
    expect(asked).toEqual([null, 3, 6]);
  });

  it("stops at the end of the list", async () => {
    const { fetchPage } = server();
    expect(await gatherPage(fetchPage, 6, 50)).toEqual({ items: [8, 10], next_after: null });
  });

  it("stops after the most requests it may make, with the place to go on from", async () => {
    const { fetchPage, asked } = server(() => false);
    expect(await gatherPage(fetchPage, null, 1, 2)).toEqual({ items: [], next_after: 6 });
    expect(asked.length).toBe(2);
  });
});

describe("everyRow", () => {
  it("collects every filtered row, even after an empty page", async () => {
    const { fetchPage } = server((id) => id === 1 || id === 10);
    expect(await everyRow(fetchPage)).toEqual([1, 10]);
  });
});
