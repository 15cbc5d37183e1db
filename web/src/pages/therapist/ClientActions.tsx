// What a therapist does to a client's record beside the charts: open an episode, invite
// the client to Tandem with a one-time link, close an episode (after a confirm step).
import { useState } from "preact/hooks";
import { allPages, api, ApiError } from "../../api";
import { ErrorNote, Field } from "../../components/common";
import { useLoad } from "../../hooks";
import { formatDate, formatDateTime } from "../../texts";
import type { Client, Episode } from "../../types";
import { joinLink, localDate } from "./record";
import type { Created, Instrument, InvitationCreated, StaffInvitation } from "./types";
import { CopyButton } from "./ui";
import { closeReasonLabels } from "./words";

// Which questionnaire the episode tracks, and when it opened; "Open episode".
export function OpenEpisodeForm({ client, onOpened }: { client: Pick<Client, "id" | "display_name">; onOpened: (episode: number) => void }) {
  const instruments = useLoad(() => api.get<{ items: Instrument[] }>("/api/v1/instruments").then((r) => r.items), []);
  const [instrument, setInstrument] = useState("");
  const [opened, setOpened] = useState(localDate(new Date()));
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = instrument || instruments.data?.find((i) => i.id === "phq9")?.id || instruments.data?.[0]?.id || "";
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<Created>(`/api/v1/clients/${client.id}/episodes`, { instrument: chosen, opened });
      onOpened(created.id);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const field = `open-episode-${client.id}`;
  return (
    <form class="stack" onSubmit={submit}>
      <ErrorNote error={instruments.error} />
      <Field id={`${field}-instrument`} label="Questionnaire to track" hint="Answered at sessions; its scores make the symptom chart.">
        <select id={`${field}-instrument`} aria-describedby={`${field}-instrument-hint`} value={chosen} onChange={(e) => setInstrument(e.currentTarget.value)} required>
          {(instruments.data ?? []).map((i) => (
            <option key={i.id} value={i.id}>
              {i.name}
            </option>
          ))}
        </select>
      </Field>
      <Field id={`${field}-opened`} label="Opened on">
        <input id={`${field}-opened`} type="date" value={opened} onInput={(e) => setOpened(e.currentTarget.value)} required />
      </Field>
      <ErrorNote error={error} />
      <button type="submit" class="primary" disabled={busy || !chosen}>
        {busy ? "Opening…" : "Open episode"}
      </button>
    </form>
  );
}

// "Invite {name} to Tandem": a one-time link to make their account, and the links still
// waiting to be used.
export function InvitePanel({ client }: { client: Client }) {
  const pending = useLoad(
    () => allPages<StaffInvitation>("/api/v1/invitations").then((items) => items.filter((i) => i.client === client.id && i.status === "pending")),
    [client.id],
  );
  const [made, setMade] = useState<InvitationCreated | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const invite = async () => {
    setBusy(true);
    setError(null);
    try {
      setMade(await api.post<InvitationCreated>("/api/v1/invitations", { client: client.id }));
      pending.reload();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const link = made ? joinLink(location.origin, made.token) : "";
  return (
    <section class="card no-print" aria-labelledby="invite-heading">
      <h2 id="invite-heading">Invite {client.display_name} to Tandem</h2>
      <p>
        With an account, {client.display_name} can check in on their phone in a minute before each session and see their own journey in plain words.
      </p>
      <button type="button" class="primary" onClick={invite} disabled={busy}>
        {busy ? "Making the link…" : "Invite to Tandem"}
      </button>
      <ErrorNote error={error} />
      {made ? (
        <div class="invite-made note note-ok">
          <div class="field">
            <label for="invite-link">Invitation link</label>
            <div class="copy-row">
              <input id="invite-link" type="text" readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
              <CopyButton text={link} what="the invitation link" />
            </div>
          </div>
          <p>
            The link works once, until {formatDateTime(made.expires_at)}. Tandem sends no e-mail: give it to {client.display_name} yourself, in person or by a
            way you both trust. This is the only time the link is shown.
          </p>
        </div>
      ) : null}
      <h3>Links waiting to be used</h3>
      {pending.error ? <ErrorNote error={pending.error} /> : null}
      {pending.data && pending.data.length === 0 ? <p class="quiet">None.</p> : null}
      {pending.data && pending.data.length > 0 ? (
        <ul>
          {pending.data.map((i) => (
            <li key={i.id}>
              Made {formatDateTime(i.created_at)}, works until {formatDateTime(i.expires_at)}
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}

// Close the episode, with a second step to confirm the reason.
export function CloseEpisode({ episode, onClosed }: { episode: Episode; onClosed: () => void }) {
  const [asking, setAsking] = useState(false);
  const [reason, setReason] = useState("completed");
  const [closed, setClosed] = useState(localDate(new Date()));
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const confirm = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/episodes/${episode.id}/close`, { reason, closed });
      setAsking(false);
      onClosed();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card no-print" aria-labelledby="close-heading">
      <h2 id="close-heading">Close this episode</h2>
      <p>
        Closing ends this episode of care (opened {formatDate(episode.opened)}). Everything recorded stays, and a new episode can be opened later.
      </p>
      {!asking ? (
        <button type="button" onClick={() => setAsking(true)}>
          Close episode…
        </button>
      ) : (
        <form id="close-confirm" class="stack" onSubmit={confirm}>
          <fieldset>
            <legend>How did it end?</legend>
            <ul class="choice-list">
              {Object.entries(closeReasonLabels).map(([value, words]) => (
                <li key={value}>
                  <label>
                    <input type="radio" name="close-reason" value={value} checked={reason === value} onChange={() => setReason(value)} />
                    <span>{words}</span>
                  </label>
                </li>
              ))}
            </ul>
          </fieldset>
          <Field id="close-date" label="Closed on">
            <input id="close-date" type="date" value={closed} onInput={(e) => setClosed(e.currentTarget.value)} required />
          </Field>
          <ErrorNote error={error} />
          <div class="row">
            <button type="submit" class="primary" disabled={busy}>
              {busy ? "Closing…" : "Yes, close this episode"}
            </button>
            <button type="button" onClick={() => setAsking(false)}>
              Keep it open
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
