// A trainee's reflection log: what I tried to fix, what I sat with, optionally about one
// client's episode; shared with their supervisor, whose comments show beneath each entry.
import { useState } from "preact/hooks";
import { allPages, api, ApiError } from "../../api";
import { ErrorNote, Field, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { useMe } from "../../session";
import { formatDateTime } from "../../texts";
import type { Caseload, CaseloadEntry, Reflection } from "../../types";
import "./therapist.css";

export function Reflections() {
  useTitle("Reflections");
  const me = useMe();
  const caseload = useLoad(() => api.get<Caseload>(`/api/v1/therapists/${me.id}/caseload`).then((c) => c.clients), [me.id]);
  const log = useLoad(() => allPages<Reflection>("/api/v1/reflections"), [me.id]);
  const clients = caseload.data ?? [];
  const nameOf = (episode: number) => clients.find((c) => c.episode === episode || c.open_episode === episode)?.display_name;
  const entries = [...(log.data ?? [])].sort((a, b) => b.at.localeCompare(a.at));
  return (
    <Page title="Reflections">
      <p class="lead">
        A place to notice your own part in the work: what you tried to fix, and what you managed to sit with. Your supervisor reads these and may
        comment; no one else sees them.
      </p>
      {me.trainee ? (
        <ReflectionForm clients={clients} onSaved={log.reload} />
      ) : (
        <p class="note">
          Writing reflections here is for therapists in training, shared with their supervisor. Your account is not marked as in training, so the log below
          is read-only.
        </p>
      )}
      <ErrorNote error={caseload.error} />
      <section aria-labelledby="log-heading">
        <h2 id="log-heading">Your log</h2>
        {log.loading && !log.data ? <Loading /> : null}
        <ErrorNote error={log.error} />
        {log.data && entries.length === 0 ? <p class="quiet">Nothing written yet.</p> : null}
        <ol class="reflection-log">
          {entries.map((r) => (
            <li key={r.id} class="card">
              <h3>
                {formatDateTime(r.at)}
                {r.episode ? <span class="quiet"> · about {nameOf(r.episode) ?? `episode ${r.episode}`}</span> : null}
              </h3>
              {r.tried_to_fix ? (
                <>
                  <p class="reflection-label">What I tried to fix</p>
                  <p>{r.tried_to_fix}</p>
                </>
              ) : null}
              {r.sat_with ? (
                <>
                  <p class="reflection-label">What I sat with</p>
                  <p>{r.sat_with}</p>
                </>
              ) : null}
              {r.comments.length ? (
                <div class="comments">
                  <p class="reflection-label">From your supervisor</p>
                  <ul>
                    {r.comments.map((c) => (
                      <li key={c.id}>
                        <p>{c.text}</p>
                        <p class="quiet">{formatDateTime(c.at)}</p>
                      </li>
                    ))}
                  </ul>
                </div>
              ) : (
                <p class="quiet">No comment yet.</p>
              )}
            </li>
          ))}
        </ol>
      </section>
    </Page>
  );
}

// The form; with `about`, the reflection is about that episode (the session screen of a
// trainee) and there is no client to choose.
export function ReflectionForm({
  clients,
  onSaved,
  about,
}: {
  clients: CaseloadEntry[];
  onSaved: () => void;
  about?: { episode: number; clientName: string };
}) {
  const [episode, setEpisode] = useState(about ? String(about.episode) : "");
  const [tried, setTried] = useState("");
  const [sat, setSat] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const body: Record<string, unknown> = { tried_to_fix: tried.trim(), sat_with: sat.trim() };
      if (episode) body.episode = Number(episode);
      await api.post("/api/v1/reflections", body);
      setTried("");
      setSat("");
      setEpisode(about ? String(about.episode) : "");
      setDone(true);
      onSaved();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="write-heading">
      <h2 id="write-heading">{about ? `Your reflection on the work with ${about.clientName}` : "Write a reflection"}</h2>
      {about ? <p class="quiet">For you and your supervisor only: what you tried to fix, and what you sat with.</p> : null}
      <form class="stack" onSubmit={submit}>
        {about ? null : (
          <Field id="reflection-episode" label="About which client (optional)">
            <select id="reflection-episode" value={episode} onChange={(e) => setEpisode(e.currentTarget.value)}>
              <option value="">Not about one client</option>
              {clients.map((c) => (
                <option key={c.episode} value={c.episode}>
                  {c.display_name}
                  {c.ended ? " (ended)" : ""}
                </option>
              ))}
            </select>
          </Field>
        )}
        <Field id="reflection-tried" label="What I tried to fix" hint="Where did you reach for a solution, a tip, a way to make it better?">
          <textarea id="reflection-tried" aria-describedby="reflection-tried-hint" value={tried} onInput={(e) => setTried(e.currentTarget.value)} />
        </Field>
        <Field id="reflection-sat" label="What I sat with" hint="What did you stay with, without fixing? What was that like?">
          <textarea id="reflection-sat" aria-describedby="reflection-sat-hint" value={sat} onInput={(e) => setSat(e.currentTarget.value)} />
        </Field>
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            Saved to your log. Your supervisor can read it now.
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy || (!tried.trim() && !sat.trim())}>
          {busy ? "Saving…" : "Save reflection"}
        </button>
      </form>
    </section>
  );
}
