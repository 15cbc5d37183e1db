// /supervision: each supervisee with their caseload in brief (the signals by kind, the
// clients they concern) and how their reflection log stands. The work is the therapist's
// learning: signals are prompts for a conversation, not marks against anyone.
import { api } from "../../api";
import { ErrorNote, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { label, patternLabels } from "../../texts";
import { caseloadSentence, clientsWithSignals, reflectionSentence, signalCounts, signalLabel, signalTone } from "./summary";
import type { Supervisee } from "./types";
import "./supervisor.css";

export function Supervision() {
  useTitle("Supervision");
  const { data, error, loading } = useLoad(() => api.get<{ items: Supervisee[] }>("/api/v1/supervision"), []);
  return (
    <Page title="Supervision" wide>
      <p class="sv-lead">
        Supervision is about the therapist's learning. What follows shows where each caseload might be worth talking about
        together: each signal is a prompt for a conversation, never a mark against the therapist or the client.
      </p>
      <ErrorNote error={error} />
      {loading && !data ? <Loading what="Loading your supervisees" /> : null}
      {data && data.items.length === 0 ? (
        <p class="note note-warm">
          No one is linked to you for supervision yet. A service admin links supervisors to therapists on the People page.
        </p>
      ) : null}
      {data?.items.map((s) => <SuperviseeCard key={s.therapist.id} supervisee={s} />)}
    </Page>
  );
}

function SuperviseeCard({ supervisee }: { supervisee: Supervisee }) {
  const { therapist, caseload } = supervisee;
  const counts = signalCounts(caseload);
  const withSignals = clientsWithSignals(caseload);
  const quiet = caseload.clients.length - withSignals.length;
  const headingId = `supervisee-${therapist.id}`;
  return (
    <section class="card sv-supervisee">
      <h2 id={headingId}>
        {therapist.display_name}
        {therapist.trainee ? <span class="tag tag-ok">In training</span> : null}
      </h2>
      <p>{caseloadSentence(caseload)}</p>

      <div class="sv-grid">
        <div>
          <h3>Reflections</h3>
          <p>
            {!therapist.trainee && supervisee.reflections === 0
              ? "Reflection logs are kept by therapists in training; there is none to read here."
              : reflectionSentence(supervisee)}
          </p>
          {supervisee.reflections > 0 ? (
            <p>
              <a class="button" href={`/supervision/${therapist.id}/reflections`}>
                Read reflections by {therapist.display_name}
              </a>
            </p>
          ) : null}
        </div>
        <div>
          <h3>Signals on the caseload</h3>
          {counts.length === 0 ? (
            <p class="quiet">Nothing is asking for attention at the moment.</p>
          ) : (
            <ul class="sv-signal-counts">
              {counts.map((c) => (
                <li key={c.type}>
                  <span class={`tag tag-${signalTone(c.type)}`}>{c.label}</span>{" "}
                  <span>
                    {c.clients} {c.clients === 1 ? "client" : "clients"}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </div>
      </div>

      {withSignals.length > 0 ? (
        <>
          <h3>Clients to talk about</h3>
          <p class="quiet">Each client page opens read-only for you.</p>
          <ul class="sv-signal-clients">
            {withSignals.map((entry) => (
              <li key={entry.client}>
                <a href={`/clients/${entry.client}`}>{entry.display_name}</a>
                {entry.ended ? <span class="quiet"> (finished)</span> : null}
                <ul class="sv-tags" aria-label={`Signals for ${entry.display_name}`}>
                  {entry.signals.map((signal, i) => (
                    <li key={`${signal.type}-${i}`} class={`tag tag-${signalTone(signal.type)}`} title={signal.reason}>
                      {signalLabel(signal.type)}
                      <span class="sv-session"> · session {signal.session}</span>
                    </li>
                  ))}
                </ul>
                {entry.patterns.length > 0 ? (
                  <p class="sv-patterns quiet">Pattern: {entry.patterns.map((p) => label(patternLabels, p)).join(", ")}</p>
                ) : null}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {quiet > 0 && withSignals.length > 0 ? (
        <p class="quiet">
          {quiet} other {quiet === 1 ? "client has" : "clients have"} no signal just now.
        </p>
      ) : null}
    </section>
  );
}
