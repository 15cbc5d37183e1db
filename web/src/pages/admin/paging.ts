// Keyset pages whose filter applies within each page (GET /users?role=): a page may come
// back short, even empty, and still have a next one. gatherPage keeps asking until it has
// enough rows to show or the list ends. Pure over the fetch it is given (tested in
// paging.test.ts).
import type { Page } from "../../types";

export interface Gathered<T> {
  items: T[];
  next_after: number | null;
}

export async function gatherPage<T>(
  fetchPage: (after: number | null) => Promise<Page<T>>,
  after: number | null,
  want: number,
  maxRequests = 20,
): Promise<Gathered<T>> {
  const items: T[] = [];
  let cursor = after;
  for (let request = 0; request < maxRequests; request++) {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_after;
    if (cursor === null || items.length >= want) break;
  }
  return { items, next_after: cursor };
}

// Every row of a list, however its pages are filtered: follows next_after to the end.
export async function everyRow<T>(fetchPage: (after: number | null) => Promise<Page<T>>, maxRequests = 1000): Promise<T[]> {
  const gathered = await gatherPage(fetchPage, null, Number.POSITIVE_INFINITY, maxRequests);
  return gathered.items;
}
