// /admin/audit: search the audit log (who did what to which record, when, and whether it was
// allowed), page by page, and download the rows shown as CSV (made in the browser).
import { useEffect, useRef, useState } from "preact/hooks";
import { api, ApiError, query } from "../../api";
import { ErrorNote, Field, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { formatDateTime } from "../../texts";
import type { AuditEntry, Page as PageOf, User } from "../../types";
import { auditCsv, auditParams, auditQuery, csvFileName, noFilters, type AuditFilters, type AuditParams, type FilterProblem } from "./audit";
import { everyRow } from "./paging";
import { TableScroll } from "./Scroll";
import "./admin.css";

const PAGE_SIZE = 100;

const outcomeNames: Record<string, string> = {
  ok: "Allowed",
  denied: "Refused",
  invalid: "Bad request",
  "not-found": "Not found",
  error: "Server error",
};

// Suggestions only: any action or record type can be searched for.
const actionHints = ["auth.", "user.", "client.", "episode.", "session.", "questionnaire.", "definition.", "reflection.", "invitation.", "audit.read"];
const recordTypeHints = ["user", "client", "episode", "session", "administration", "goal-rating", "alliance", "moment", "reflection", "invitation", "organisation", "login-session", "audit"];

function download(text: string, name: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: "text/csv;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  // The click has started the download; the URL is no longer needed.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}

export function Audit() {
  useTitle("Audit log");
  const people = useLoad(() => everyRow<User>((after) => api.get(`/api/v1/users${query({ limit: 200, after })}`)), []);
  const names = new Map((people.data ?? []).map((u) => [u.id, u.display_name]));

  const [filters, setFilters] = useState<AuditFilters>(noFilters);
  const [problems, setProblems] = useState<FilterProblem[]>([]);
  const [applied, setApplied] = useState<AuditParams>({});
  const [searchTick, setSearchTick] = useState(0);
  const [rows, setRows] = useState<AuditEntry[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  // Only the latest request may change the rows (a new search can start while one is out).
  const latest = useRef(0);

  const load = async (params: AuditParams, after: number | null) => {
    const request = ++latest.current;
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<PageOf<AuditEntry>>(`/api/v1/audit${auditQuery(params, PAGE_SIZE, after)}`);
      if (request !== latest.current) return;
      setRows((shown) => (after === null ? page.items : [...shown, ...page.items]));
      setNext(page.items.length > 0 ? page.next_after : null);
    } catch (caught) {
      if (request !== latest.current) return;
      if (after === null) setRows([]);
      setError(caught as ApiError);
    } finally {
      if (request === latest.current) setLoading(false);
    }
  };

  useEffect(() => {
    void load(applied, null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [applied, searchTick]);

  const set = (field: keyof AuditFilters) => (event: Event) => {
    const value = (event.currentTarget as HTMLInputElement).value;
    setFilters((f) => ({ ...f, [field]: value }));
  };

  const search = (event: Event) => {
    event.preventDefault();
    const { params, problems: found } = auditParams(filters);
    setProblems(found);
    if (found.length > 0) return;
    setApplied(params);
    setSearchTick((t) => t + 1);
  };

  const clear = () => {
    setFilters(noFilters);
    setProblems([]);
    setApplied({});
  };

  const problemOf = (field: keyof AuditFilters) => problems.find((p) => p.field === field)?.message;
  const describedBy = (field: keyof AuditFilters, hint = false) =>
    [hint ? `audit-${field}-hint` : "", problemOf(field) ? `audit-${field}-problem` : ""].filter(Boolean).join(" ") || undefined;
  const problemNote = (field: keyof AuditFilters) =>
    problemOf(field) ? (
      <p class="adm-problem" id={`audit-${field}-problem`}>
        {problemOf(field)}
      </p>
    ) : null;

  return (
    <Page title="Audit log" wide>
      <p>
        Every reading and change of client data, and every sign-in, is written here: who, what, which record, when, and
        whether it was allowed. Nothing a client or therapist wrote is kept in the log. Oldest entries come first; narrow
        by date to reach recent ones.
      </p>
      <form class="card adm-audit-filters" onSubmit={search} noValidate>
        <h2 id="filters-heading">Search</h2>
        <div class="adm-filter-grid">
          <Field id="audit-actor" label="Actor (account number)">
            <input id="audit-actor" type="text" inputMode="numeric" aria-invalid={problemOf("actor") ? true : undefined} aria-describedby={describedBy("actor")} value={filters.actor} onInput={set("actor")} />
            {problemNote("actor")}
          </Field>
          <Field id="audit-action" label="Action">
            <input
              id="audit-action"
              type="text"
              list="audit-action-hints"
              autoComplete="off"
              aria-invalid={problemOf("action") ? true : undefined}
              aria-describedby={describedBy("action", true)}
              value={filters.action}
              onInput={set("action")}
            />
            <datalist id="audit-action-hints">
              {actionHints.map((a) => (
                <option key={a} value={a} />
              ))}
            </datalist>
            <p class="hint" id="audit-action-hint">
              Exact, or the start ending in a dot: episode.
            </p>
            {problemNote("action")}
          </Field>
          <Field id="audit-record_type" label="Record type">
            <input id="audit-record_type" type="text" list="audit-type-hints" autoComplete="off" value={filters.record_type} onInput={set("record_type")} />
            <datalist id="audit-type-hints">
              {recordTypeHints.map((t) => (
                <option key={t} value={t} />
              ))}
            </datalist>
          </Field>
          <Field id="audit-record_id" label="Record number">
            <input id="audit-record_id" type="text" inputMode="numeric" aria-invalid={problemOf("record_id") ? true : undefined} aria-describedby={describedBy("record_id")} value={filters.record_id} onInput={set("record_id")} />
            {problemNote("record_id")}
          </Field>
          <Field id="audit-from" label="From">
            <input id="audit-from" type="date" aria-invalid={problemOf("from") ? true : undefined} aria-describedby={describedBy("from")} value={filters.from} onInput={set("from")} />
            {problemNote("from")}
          </Field>
          <Field id="audit-to" label="To (including that day)">
            <input id="audit-to" type="date" aria-invalid={problemOf("to") ? true : undefined} aria-describedby={describedBy("to")} value={filters.to} onInput={set("to")} />
            {problemNote("to")}
          </Field>
        </div>
        {problems.length > 0 ? (
          <p class="note note-error" role="alert">
            Some filters need a change before searching: see the notes beside them.
          </p>
        ) : null}
        <div class="row">
          <button type="submit" class="primary">
            Search
          </button>
          <button type="button" onClick={clear}>
            Clear filters
          </button>
        </div>
      </form>

      <section>
        <h2 id="results-heading">Entries</h2>
        <ErrorNote error={error} />
        <div class="row adm-results-bar">
          <p role="status" aria-live="polite" class="adm-results-count">
            {loading ? "" : `${rows.length} ${rows.length === 1 ? "entry" : "entries"} shown${next !== null ? ", more to load" : ""}.`}
          </p>
          <button type="button" disabled={rows.length === 0} onClick={() => download(auditCsv(rows, names), csvFileName(new Date()))}>
            Download CSV
          </button>
        </div>
        {rows.length > 0 ? (
          <TableScroll label="Audit entries">
            <table class="adm-table adm-audit-table">
              <caption class="visually-hidden">Audit entries</caption>
              <thead>
                <tr>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">Action</th>
                  <th scope="col">Record</th>
                  <th scope="col">Outcome</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.id}>
                    <td>{formatDateTime(row.at)}</td>
                    <td>{row.actor === null ? "Tandem" : `${names.get(row.actor) ?? "Account"} (${row.actor})`}</td>
                    <td>
                      <code>{row.action}</code>
                    </td>
                    <td>
                      {row.record_type}
                      {row.record_id !== null ? ` ${row.record_id}` : ""}
                    </td>
                    <td>{row.outcome === "ok" ? "Allowed" : <span class="tag tag-warm">{outcomeNames[row.outcome] ?? row.outcome}</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableScroll>
        ) : null}
        {!loading && rows.length === 0 && !error ? <p>No entries match these filters.</p> : null}
        {loading ? <Loading what="Loading entries" /> : null}
        {next !== null && !loading ? (
          <p>
            <button type="button" onClick={() => load(applied, next)}>
              Load more entries
            </button>
          </p>
        ) : null}
      </section>
    </Page>
  );
}
