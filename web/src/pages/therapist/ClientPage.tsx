// One client, in depth: the episode chosen (the open one by default), its charts, the
// progress profile with the evidence behind each finding, the sessions, and the therapist's
// actions (progress conversation, record a session, invite, close). A supervisor reads the
// same page without any action that writes.
import { useState } from "preact/hooks";
import { api } from "../../api";
import { ErrorNote, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { useMe } from "../../session";
import { formatDate } from "../../texts";
import type { Client, Episode } from "../../types";
import { CloseEpisode, InvitePanel, OpenEpisodeForm } from "./ClientActions";
import { EpisodeView } from "./EpisodeView";
import { defaultEpisode, episodeLabel, localDate } from "./record";
import "./therapist.css";

interface ClientData {
  client: Client;
  episodes: Episode[];
}

function episodeFromUrl(): number | null {
  const value = Number(new URLSearchParams(location.search).get("episode"));
  return Number.isInteger(value) && value > 0 ? value : null;
}

export function ClientPage({ id }: { id: string }) {
  const me = useMe();
  const canWrite = me.role === "therapist";
  const loaded = useLoad<ClientData>(async () => {
    const [client, episodes] = await Promise.all([
      api.get<Client>(`/api/v1/clients/${id}`),
      api.get<{ items: Episode[] }>(`/api/v1/clients/${id}/episodes`),
    ]);
    return { client, episodes: episodes.items };
  }, [id]);
  const [chosen, setChosen] = useState<number | null>(episodeFromUrl());
  useTitle(loaded.data?.client.display_name ?? "Client");

  if (loaded.loading && !loaded.data) {
    return (
      <Page title="Client" wide>
        <Loading />
      </Page>
    );
  }
  if (loaded.error || !loaded.data) {
    return (
      <Page title="Client" wide>
        <ErrorNote error={loaded.error} />
      </Page>
    );
  }
  const { client, episodes } = loaded.data;
  const episode = episodes.find((e) => e.id === chosen) ?? defaultEpisode(episodes);
  const hasOpen = episodes.some((e) => e.status === "open");
  const choose = (value: number) => {
    setChosen(value);
    history.replaceState(null, "", `${location.pathname}?episode=${value}`);
  };

  return (
    <Page title={client.display_name} wide>
      <p class="print-only print-header">
        Tandem progress summary for {client.display_name} · printed {formatDate(localDate(new Date()))}
      </p>
      <div class="client-head">
        <div class="client-facts">
          {episodes.length > 1 ? (
            <div class="field episode-choice no-print">
              <label for="episode-choice">Episode</label>
              <select id="episode-choice" value={episode?.id} onChange={(e) => choose(Number(e.currentTarget.value))}>
                {[...episodes].sort((a, b) => b.opened.localeCompare(a.opened) || b.id - a.id).map((e) => (
                  <option key={e.id} value={e.id}>
                    {episodeLabel(e)}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
          {episode ? <p class={episodes.length > 1 ? "print-only" : ""}>{episodeLabel(episode)}</p> : null}
          <p class="quiet">
            {client.birth_date ? `Born ${formatDate(client.birth_date)} · ` : ""}
            Consent to care {client.consent.care ? "given" : "not given"} · to research {client.consent.research ? "given" : "not given"}
          </p>
        </div>
        <div class="client-actions no-print">
          {canWrite && hasOpen ? (
            <>
              <a class="button primary" href={`/clients/${client.id}/session`}>
                Record session
              </a>
              <a class="button" href={`/clients/${client.id}/progress`}>
                Progress conversation
              </a>
            </>
          ) : null}
          <button type="button" onClick={() => window.print()}>
            Print
          </button>
        </div>
      </div>
      {me.role === "supervisor" ? <p class="note note-warm no-print">You are reading this as a supervisor: nothing here can be changed from your account.</p> : null}

      {episode ? (
        <EpisodeView key={episode.id} client={client} episode={episode} canWrite={canWrite} />
      ) : (
        <section class="card" aria-labelledby="no-episode">
          <h2 id="no-episode">No episode yet</h2>
          <p>An episode holds the sessions, the questionnaires and what progress means for {client.display_name}.</p>
          {canWrite ? <OpenEpisodeForm client={client} onOpened={() => loaded.reload()} /> : null}
        </section>
      )}

      {canWrite && episode && !hasOpen ? (
        <section class="card no-print" aria-labelledby="new-episode">
          <h2 id="new-episode">Start a new episode</h2>
          <p>If {client.display_name} comes back for more work, a new episode keeps it apart from the one that ended.</p>
          <OpenEpisodeForm client={client} onOpened={(newId) => { choose(newId); loaded.reload(); }} />
        </section>
      ) : null}

      {canWrite ? <InvitePanel client={client} /> : null}
      {canWrite && episode?.status === "open" ? <CloseEpisode episode={episode} onClosed={() => loaded.reload()} /> : null}
    </Page>
  );
}
