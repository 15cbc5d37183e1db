// The caseload at a glance: clients with something to look at first (the server's order),
// each signal in plain words with its reason a tap away, and a filter.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { ErrorNote, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { useMe } from "../../session";
import { formatDate, label, patternLabels, signalLabels } from "../../texts";
import type { Caseload as CaseloadData, CaseloadEntry } from "../../types";
import { caseloadSummary, filterCaseload, isFiltered, isOpen, noFilter, signalCounts, type CaseloadFilter } from "./caseload";
import { SignalTag } from "./ui";
import { dropoutWords } from "./words";

export function Caseload() {
  useTitle("Caseload");
  const me = useMe();
  const loaded = useLoad(() => api.get<CaseloadData>(`/api/v1/therapists/${me.id}/caseload`), [me.id]);
  const [filter, setFilter] = useState<CaseloadFilter>(noFilter);
  // The kinds-of-signal toggles start open where there is room, folded on a phone.
  const [wide] = useState(() => window.matchMedia("(min-width: 52rem)").matches);

  if (loaded.loading && !loaded.data) {
    return (
      <Page title="Caseload" wide>
        <Loading what="Loading your caseload" />
      </Page>
    );
  }
  if (loaded.error || !loaded.data) {
    return (
      <Page title="Caseload" wide>
        <ErrorNote error={loaded.error} />
      </Page>
    );
  }
  const clients = loaded.data.clients;
  if (clients.length === 0) {
    return (
      <Page title="Caseload" wide>
        <div class="card empty-note">
          <p>Your caseload is empty for now.</p>
          <p>
            When you add someone, they appear here, with anything worth a look on top. <a href="/clients/new">Add your first client</a>.
          </p>
        </div>
      </Page>
    );
  }
  const shown = filterCaseload(clients, filter);
  const counts = signalCounts(clients);
  const set = (patch: Partial<CaseloadFilter>) => setFilter({ ...filter, ...patch });
  const toggleType = (type: string) =>
    set({ signalTypes: filter.signalTypes.includes(type) ? filter.signalTypes.filter((t) => t !== type) : [...filter.signalTypes, type] });

  return (
    <Page title="Caseload" wide>
      <p class="quiet">{caseloadSummary(clients)}. The clients with something to look at come first.</p>
      <form class="card caseload-filter" role="search" aria-label="Filter the caseload" onSubmit={(e) => e.preventDefault()}>
        <div class="filter-row">
          <div class="field filter-search">
            <label for="caseload-search">Search by name</label>
            <input id="caseload-search" type="search" value={filter.query} onInput={(e) => set({ query: e.currentTarget.value })} />
          </div>
          <label class="check">
            <input type="checkbox" checked={filter.onlySignals} onChange={(e) => set({ onlySignals: e.currentTarget.checked })} />
            <span>Only clients with something to look at</span>
          </label>
        </div>
        <details class="more-filters" open={wide}>
          <summary>By what to look at, open or ended</summary>
          <div class="filter-row">
            {counts.length ? (
              <fieldset class="chips">
                <legend>What to look at</legend>
                <div class="chip-row">
                  {counts.map(({ type, clients: n }) => (
                    <label key={type} class="chip">
                      <input type="checkbox" checked={filter.signalTypes.includes(type)} onChange={() => toggleType(type)} />
                      <span>
                        {label(signalLabels, type)} ({n})
                      </span>
                    </label>
                  ))}
                </div>
              </fieldset>
            ) : null}
            <fieldset class="chips">
              <legend>Episodes</legend>
              <div class="chip-row">
                <label class="chip">
                  <input type="checkbox" checked={filter.showOpen} onChange={(e) => set({ showOpen: e.currentTarget.checked })} />
                  <span>Open</span>
                </label>
                <label class="chip">
                  <input type="checkbox" checked={filter.showEnded} onChange={(e) => set({ showEnded: e.currentTarget.checked })} />
                  <span>Ended</span>
                </label>
              </div>
            </fieldset>
          </div>
        </details>
      </form>
      <p role="status" aria-live="polite" class="quiet">
        {isFiltered(filter) ? `Showing ${shown.length} of ${clients.length}.` : ""}
      </p>
      {shown.length === 0 ? (
        <div class="card">
          <p>No client matches these filters.</p>
          <button type="button" onClick={() => setFilter(noFilter)}>
            Clear the filters
          </button>
        </div>
      ) : (
        <ul class="caseload-list">
          {shown.map((entry) => (
            <CaseloadRow key={entry.client} entry={entry} />
          ))}
        </ul>
      )}
    </Page>
  );
}

function CaseloadRow({ entry }: { entry: CaseloadEntry }) {
  const dropout = dropoutWords(entry.dropout_risk);
  const open = isOpen(entry);
  return (
    <li class={`card caseload-row ${entry.signals.some((s) => s.type === "crisis") ? "has-crisis" : ""}`}>
      <div class="caseload-who">
        <h2 class="caseload-name">
          <a href={`/clients/${entry.client}`}>{entry.display_name}</a>
        </h2>
        <p class="quiet caseload-facts">
          {open ? "Open" : "Ended"} · {entry.instrument.toUpperCase()} · {entry.attended} of {entry.sessions} {entry.sessions === 1 ? "session" : "sessions"} attended
          {entry.last_session ? ` · last ${formatDate(entry.last_session)}` : " · no session yet"}
        </p>
      </div>
      <div class="caseload-signals">
        {entry.signals.length ? (
          <ul class="tag-list" aria-label="Something to look at">
            {entry.signals.map((signal, i) => (
              <li key={`${signal.type}-${i}`}>
                <SignalTag signal={signal} />
              </li>
            ))}
          </ul>
        ) : (
          <p class="quiet">Nothing that needs a look.</p>
        )}
        {dropout ? <p class="dropout">{dropout}</p> : null}
      </div>
      <div class="caseload-patterns">
        {entry.patterns.length ? (
          <ul class="tag-list" aria-label="Patterns">
            {entry.patterns.map((p) => (
              <li key={p}>
                <span class="tag pattern">{label(patternLabels, p)}</span>
              </li>
            ))}
          </ul>
        ) : (
          <p class="quiet">No pattern yet.</p>
        )}
      </div>
    </li>
  );
}
