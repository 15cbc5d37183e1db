// /supervision/:therapistId/reflections: a supervisee's reflection log (what they tried to
// fix, what they sat with), the comments on each, and a comment form. The reflections that
// were waiting for a comment come first.
import { useEffect, useMemo, useState } from "preact/hooks";
import { api, ApiError, query } from "../../api";
import { ErrorNote, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { useMe } from "../../session";
import { formatDate, formatDateTime } from "../../texts";
import type { Page as PageOf } from "../../types";
import { awaitingComment, commentAuthor, episodeClients, groupReflections, mergePage, type EpisodeClient } from "./summary";
import type { Created, ReflectionItem, Supervisee } from "./types";
import "./supervisor.css";

const PAGE_SIZE = 20;

export function Reflections({ therapistId }: { therapistId: string }) {
  const author = Number(therapistId);
  const overview = useLoad(() => api.get<{ items: Supervisee[] }>("/api/v1/supervision"), []);
  const supervisee = overview.data?.items.find((s) => s.therapist.id === author);
  const name = supervisee?.therapist.display_name;
  useTitle(name ? `Reflections by ${name}` : "Reflections");

  const [items, setItems] = useState<ReflectionItem[]>([]);
  const [waiting, setWaiting] = useState<Set<number>>(new Set());
  const [next, setNext] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<ApiError | null>(null);

  const loadPage = async (after: number | null) => {
    setLoading(true);
    setError(null);
    try {
      const page = await api.get<PageOf<ReflectionItem>>(`/api/v1/reflections${query({ author, limit: PAGE_SIZE, after })}`);
      setItems((shown) => mergePage(after === null ? [] : shown, page.items));
      setWaiting((ids) => {
        const more = new Set(after === null ? [] : ids);
        page.items.filter(awaitingComment).forEach((r) => more.add(r.id));
        return more;
      });
      setNext(page.items.length > 0 ? page.next_after : null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught : new ApiError(0, "client", String(caught)));
    } finally {
      setLoading(false);
    }
  };

  useEffect(() => {
    if (!Number.isInteger(author) || author < 1) {
      setError(new ApiError(404, "not-found", "No such therapist."));
      setLoading(false);
      return;
    }
    void loadPage(null);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [author]);

  const clients = useMemo(() => (supervisee ? episodeClients(supervisee.caseload) : new Map<number, EpisodeClient>()), [supervisee]);
  const groups = groupReflections(items, waiting);

  const commented = (reflection: number, comment: ReflectionItem["comments"][number]) =>
    setItems((shown) => shown.map((r) => (r.id === reflection ? { ...r, comments: [...r.comments, comment] } : r)));

  return (
    <Page title={name ? `Reflections by ${name}` : "Reflections"}>
      <p>
        <a href="/supervision">Back to supervision</a>
      </p>
      <p class="sv-lead">
        A reflection is where a therapist notes what they tried to fix and what they sat with. Your comment is part of
        their learning: curious and kind works best.
      </p>
      {supervisee ? (
        <p class="quiet">
          {supervisee.reflections} written in all, {supervisee.reflections_awaiting_comment} waiting for a comment when
          this page opened.
        </p>
      ) : null}
      <ErrorNote error={error} />
      {loading && items.length === 0 ? <Loading what="Loading reflections" /> : null}
      {!loading && !error && items.length === 0 ? <p>No reflections written yet.</p> : null}

      {groups.waiting.length > 0 ? (
        <section>
          <h2 id="waiting-heading">Waiting for a comment</h2>
          {groups.waiting.map((r) => (
            <ReflectionCard key={r.id} reflection={r} client={r.episode !== null ? clients.get(r.episode) : undefined} onComment={commented} />
          ))}
        </section>
      ) : null}
      {groups.discussed.length > 0 ? (
        <section>
          <h2 id="discussed-heading">{groups.waiting.length > 0 ? "Already commented on" : "Reflections"}</h2>
          {groups.discussed.map((r) => (
            <ReflectionCard key={r.id} reflection={r} client={r.episode !== null ? clients.get(r.episode) : undefined} onComment={commented} />
          ))}
        </section>
      ) : null}

      {next !== null ? (
        <p>
          <button type="button" onClick={() => loadPage(next)} disabled={loading}>
            {loading ? "Loading…" : "Load more reflections"}
          </button>
        </p>
      ) : null}
    </Page>
  );
}

function ReflectionCard({
  reflection,
  client,
  onComment,
}: {
  reflection: ReflectionItem;
  client: EpisodeClient | undefined;
  onComment: (reflection: number, comment: ReflectionItem["comments"][number]) => void;
}) {
  const me = useMe();
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState(false);
  const headingId = `reflection-${reflection.id}`;
  const fieldId = `comment-${reflection.id}`;

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!text.trim()) {
      setError(new ApiError(400, "invalid-argument", "Write a comment first.", "text"));
      return;
    }
    setBusy(true);
    setError(null);
    setDone(false);
    try {
      const created = await api.post<Created>(`/api/v1/reflections/${reflection.id}/comments`, { text });
      onComment(reflection.id, { id: created.id, author: me.id, at: new Date().toISOString(), text });
      setText("");
      setDone(true);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <article class="card sv-reflection" aria-labelledby={headingId}>
      <h3 id={headingId}>
        Written {formatDate(reflection.at)}
        {awaitingComment(reflection) ? <span class="tag tag-warm">Waiting for a comment</span> : null}
      </h3>
      <p class="quiet">
        {client ? (
          <>
            About the work with <a href={`/clients/${client.client}`}>{client.name}</a>
          </>
        ) : reflection.episode !== null ? (
          `About episode ${reflection.episode}`
        ) : (
          "Not tied to one client"
        )}
      </p>
      <h4>What I tried to fix</h4>
      <p class="sv-written">{reflection.tried_to_fix}</p>
      <h4>What I sat with</h4>
      <p class="sv-written">{reflection.sat_with}</p>

      {reflection.comments.length > 0 ? (
        <>
          <h4>Comments</h4>
          <ul class="sv-comments">
            {reflection.comments.map((c) => (
              <li key={c.id}>
                <p class="sv-written">{c.text}</p>
                <p class="quiet sv-comment-by">
                  {commentAuthor(c.author, me.id)}, {formatDateTime(c.at)}
                </p>
              </li>
            ))}
          </ul>
        </>
      ) : null}

      <form class="stack sv-comment-form" onSubmit={submit}>
        <div class="field">
          <label for={fieldId}>Your comment</label>
          <textarea id={fieldId} value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </div>
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            Comment added. The therapist sees it beside their reflection.
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Adding…" : "Add comment"}
        </button>
      </form>
    </article>
  );
}
