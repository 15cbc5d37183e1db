// Record a session, then, on the same screen, what the therapist adds to it: their goal
// ratings, whether it felt hard, a moment that mattered, and a questionnaire answered with
// the client.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { ErrorNote, Field, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { attendanceLabels, formatDate, label } from "../../texts";
import type { Episode, Goal, QuestionnaireResult } from "../../types";
import { localDate, nextSessionNumber, sessionOn } from "./record";
import type { Created, DefinitionVersion, GoalRatingRow, Instrument, SessionRow } from "./types";
import { useMe } from "../../session";
import { ReflectionForm } from "./Reflections";
import { useClientEpisode } from "./useClient";
import { gasLevelNames, momentLabels } from "./words";
import "./therapist.css";

export function SessionPage({ id }: { id: string }) {
  const loaded = useClientEpisode(id);
  const name = loaded.data?.client.display_name;
  useTitle(name ? `Session with ${name}` : "Record a session");
  if (loaded.loading && !loaded.data) {
    return (
      <Page title="Record a session">
        <Loading />
      </Page>
    );
  }
  if (loaded.error || !loaded.data) {
    return (
      <Page title="Record a session">
        <ErrorNote error={loaded.error} />
      </Page>
    );
  }
  const { client, episode } = loaded.data;
  return (
    <Page title={`A session with ${client.display_name}`}>
      <p>
        <a href={`/clients/${client.id}`}>Back to {client.display_name}'s page</a>
      </p>
      {episode && episode.status === "open" ? (
        <SessionWork episode={episode} clientName={client.display_name} />
      ) : (
        <p class="note note-warm">
          There is no open episode, so there is nowhere to record a session. <a href={`/clients/${client.id}`}>Open one on {client.display_name}'s page</a>.
        </p>
      )}
    </Page>
  );
}

interface SessionData {
  sessions: SessionRow[];
  goals: Goal[];
  ratings: GoalRatingRow[];
}

function SessionWork({ episode, clientName }: { episode: Episode; clientName: string }) {
  const me = useMe();
  const data = useLoad<SessionData>(async () => {
    const base = `/api/v1/episodes/${episode.id}`;
    const [sessions, definitions, ratings] = await Promise.all([
      api.get<{ items: SessionRow[] }>(`${base}/sessions`),
      api.get<{ items: DefinitionVersion[] }>(`${base}/definitions`),
      api.get<{ items: GoalRatingRow[] }>(`${base}/goal-ratings`),
    ]);
    const current = definitions.items[definitions.items.length - 1];
    return { sessions: sessions.items, goals: current?.goals ?? [], ratings: ratings.items };
  }, [episode.id]);
  const [chosen, setChosen] = useState<number | null>(null);
  if (data.loading && !data.data) return <Loading />;
  if (data.error || !data.data) return <ErrorNote error={data.error} />;
  const { sessions, goals, ratings } = data.data;
  const today = localDate(new Date());
  const existingToday = sessionOn(sessions, today);
  const session = sessions.find((s) => s.id === chosen) ?? null;
  // Just recorded: wait for the list that has it rather than show the form again.
  if (chosen !== null && !session && data.loading) return <Loading what="Opening the session" />;
  return (
    <>
      {!session ? (
        <>
          {existingToday ? (
            <div class="note note-ok">
              <p>
                Session {existingToday.number} is already recorded for today (perhaps from {clientName}'s check-in).
              </p>
              <button type="button" class="primary" onClick={() => setChosen(existingToday.id)}>
                Add to session {existingToday.number}
              </button>
            </div>
          ) : null}
          <RecordForm
            episode={episode}
            sessions={sessions}
            today={today}
            onRecorded={(sessionId) => {
              setChosen(sessionId);
              data.reload();
            }}
          />
          {sessions.length ? <EarlierSession sessions={sessions} onChoose={setChosen} /> : null}
        </>
      ) : (
        <>
          <div class="card session-chosen">
            <h2>
              Session {session.number} · {formatDate(session.date)}
            </h2>
            <p>
              <span class={`tag ${session.attendance === "attended" ? "tag-ok" : "tag-warm"}`}>{label(attendanceLabels, session.attendance)}</span>
            </p>
            <button type="button" onClick={() => setChosen(null)}>
              Choose another session
            </button>
          </div>
          <FeltHard session={session} onChanged={data.reload} />
          {session.attendance === "attended" ? (
            <>
              <GoalRatings episode={episode} session={session} goals={goals} ratings={ratings} onSaved={data.reload} />
              <MomentForm episode={episode} session={session} />
              <QuestionnaireForm episode={episode} session={session} clientName={clientName} />
              {me.trainee ? <ReflectionForm clients={[]} onSaved={() => undefined} about={{ episode: episode.id, clientName }} /> : null}
            </>
          ) : (
            <p class="note">
              This session did not take place, so there is nothing to rate. Coming back after a missed session is worth noticing when it happens.
            </p>
          )}
        </>
      )}
    </>
  );
}

function RecordForm({ episode, sessions, today, onRecorded }: { episode: Episode; sessions: SessionRow[]; today: string; onRecorded: (id: number) => void }) {
  const [number, setNumber] = useState(String(nextSessionNumber(sessions)));
  const [date, setDate] = useState(today);
  const [attendance, setAttendance] = useState("attended");
  const [notes, setNotes] = useState("");
  const [hard, setHard] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const created = await api.post<Created>(`/api/v1/episodes/${episode.id}/sessions`, {
        number: Number(number),
        date,
        attendance,
        therapist_notes: notes,
        felt_hard_therapist: hard,
      });
      onRecorded(created.id);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="record-heading">
      <h2 id="record-heading">Record a new session</h2>
      <form class="stack" onSubmit={submit}>
        <div class="grid-2">
          <Field id="session-number" label="Session number">
            <input id="session-number" type="number" min={1} step={1} required value={number} onInput={(e) => setNumber(e.currentTarget.value)} />
          </Field>
          <Field id="session-date" label="Date">
            <input id="session-date" type="date" required value={date} min={episode.opened} onInput={(e) => setDate(e.currentTarget.value)} />
          </Field>
        </div>
        <fieldset>
          <legend>Did the session happen?</legend>
          <ul class="choice-list">
            {Object.entries(attendanceLabels).map(([value, words]) => (
              <li key={value}>
                <label>
                  <input type="radio" name="attendance" value={value} checked={attendance === value} onChange={() => setAttendance(value)} />
                  <span>{words}</span>
                </label>
              </li>
            ))}
          </ul>
        </fieldset>
        <Field id="session-notes" label="Your notes" hint="Your own record of the session; never shown to the client.">
          <textarea id="session-notes" aria-describedby="session-notes-hint" value={notes} onInput={(e) => setNotes(e.currentTarget.value)} />
        </Field>
        <label class="check">
          <input type="checkbox" checked={hard} onChange={(e) => setHard(e.currentTarget.checked)} />
          <span>This session felt hard for me</span>
        </label>
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Recording…" : "Record session"}
        </button>
      </form>
    </section>
  );
}

function EarlierSession({ sessions, onChoose }: { sessions: SessionRow[]; onChoose: (id: number) => void }) {
  const ordered = [...sessions].sort((a, b) => b.number - a.number);
  const [value, setValue] = useState(String(ordered[0].id));
  return (
    <section class="card" aria-labelledby="earlier-heading">
      <h2 id="earlier-heading">Or add to a session already recorded</h2>
      <form
        class="row"
        onSubmit={(e) => {
          e.preventDefault();
          onChoose(Number(value));
        }}
      >
        <div class="field grow">
          <label for="earlier-session">Session</label>
          <select id="earlier-session" value={value} onChange={(e) => setValue(e.currentTarget.value)}>
            {ordered.map((s) => (
              <option key={s.id} value={s.id}>
                Session {s.number}, {formatDate(s.date)} ({label(attendanceLabels, s.attendance)})
              </option>
            ))}
          </select>
        </div>
        <button type="submit">Open this session</button>
      </form>
    </section>
  );
}

function FeltHard({ session, onChanged }: { session: SessionRow; onChanged: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const toggle = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/sessions/${session.id}/felt-hard`, { by: "therapist", value: !session.felt_hard_therapist });
      onChanged();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="hard-heading">
      <h2 id="hard-heading">Did it feel hard?</h2>
      <p>
        {session.felt_hard_therapist ? "You marked this session as hard for you." : "Not marked as hard for you."}{" "}
        {session.felt_hard_client ? "The client marked it as hard for them." : ""}
      </p>
      <p class="quiet">A hard session is not a bad one. Coming back after one is progress in itself. The button stays pressed while it is marked.</p>
      <button type="button" aria-pressed={session.felt_hard_therapist} onClick={toggle} disabled={busy}>
        It felt hard for me
      </button>
      <ErrorNote error={error} />
    </section>
  );
}

function GoalRatings({ episode, session, goals, ratings, onSaved }: { episode: Episode; session: SessionRow; goals: Goal[]; ratings: GoalRatingRow[]; onSaved: () => void }) {
  const mine = (key: string) => ratings.filter((r) => r.session === session.id && r.rater === "therapist" && r.goal_key === key).pop()?.value;
  const [values, setValues] = useState<Record<string, string>>(() =>
    Object.fromEntries(goals.map((g) => [g.key, mine(g.key) === undefined ? "" : String(mine(g.key))])),
  );
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  if (goals.length === 0) {
    return (
      <section class="card" aria-labelledby="ratings-heading">
        <h2 id="ratings-heading">Your goal ratings</h2>
        <p>
          There are no goals yet. <a href={`/clients/${episode.client}/progress`}>Talk about what progress means together first</a>.
        </p>
      </section>
    );
  }
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const filled = goals.filter((g) => values[g.key] !== "" && values[g.key] !== undefined);
      for (const goal of filled) {
        await api.post(`/api/v1/episodes/${episode.id}/goal-ratings`, { session: session.id, goal_key: goal.key, value: Number(values[goal.key]) });
      }
      setDone(filled.length ? `Saved ${filled.length} ${filled.length === 1 ? "rating" : "ratings"} for session ${session.number}.` : "Nothing to save yet: rate at least one goal.");
      if (filled.length) onSaved();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="ratings-heading">
      <h2 id="ratings-heading">Your goal ratings</h2>
      <p class="quiet">How close is each goal, as you see it? The client rates the same goals from their side.</p>
      <form class="stack" onSubmit={submit}>
        {goals.map((goal, index) =>
          goal.scale === "gas" ? (
            <fieldset key={goal.key} class="rating-gas">
              <legend>{goal.text}</legend>
              <ul class="choice-list">
                {[-2, -1, 0, 1, 2].map((level) => (
                  <li key={level}>
                    <label>
                      <input
                        type="radio"
                        name={`rating-${goal.key}`}
                        value={level}
                        checked={values[goal.key] === String(level)}
                        onChange={() => setValues({ ...values, [goal.key]: String(level) })}
                      />
                      <span>
                        <strong>{gasLevelNames[level + 2].split(":")[0]}</strong> {goal.gas_levels?.[level + 2]}
                      </span>
                    </label>
                  </li>
                ))}
              </ul>
            </fieldset>
          ) : (
            <div class="field rating-gbo" key={goal.key}>
              <label for={`rating-${index}`}>{goal.text}</label>
              <p class="hint" id={`rating-${index}-hint`}>
                0 to 10: 0 is not at all close, 10 is reached. Leave it empty to skip.
              </p>
              <input
                id={`rating-${index}`}
                class="gbo-input"
                type="number"
                inputMode="decimal"
                min={0}
                max={10}
                step={0.5}
                aria-describedby={`rating-${index}-hint`}
                value={values[goal.key]}
                onInput={(e) => setValues({ ...values, [goal.key]: e.currentTarget.value })}
              />
            </div>
          ),
        )}
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            {done}
          </p>
        ) : null}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Saving…" : "Save ratings"}
        </button>
      </form>
    </section>
  );
}

function MomentForm({ episode, session }: { episode: Episode; session: SessionRow }) {
  const [tag, setTag] = useState("laughed");
  const [otherTag, setOtherTag] = useState("");
  const [text, setText] = useState("");
  const [error, setError] = useState<ApiError | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      const chosenTag = tag === "other" ? otherTag.trim().toLowerCase().replace(/\s+/g, "-") : tag;
      await api.post(`/api/v1/episodes/${episode.id}/moments`, { session: session.id, tag: chosenTag, text: text.trim() });
      setDone(`Noted: ${momentLabels[chosenTag] ?? chosenTag}.`);
      setText("");
      setOtherTag("");
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="moment-heading">
      <h2 id="moment-heading">A moment that mattered (optional)</h2>
      <p class="quiet">Progress no score shows: a first laugh in weeks, responding instead of reacting, something said honestly.</p>
      <form class="stack" onSubmit={submit}>
        <Field id="moment-tag" label="What kind of moment">
          <select id="moment-tag" value={tag} onChange={(e) => setTag(e.currentTarget.value)}>
            {Object.entries(momentLabels).map(([value, words]) => (
              <option key={value} value={value}>
                {words}
              </option>
            ))}
            <option value="other">Something else</option>
          </select>
        </Field>
        {tag === "other" ? (
          <Field id="moment-other" label="A short name for it">
            <input id="moment-other" type="text" required value={otherTag} onInput={(e) => setOtherTag(e.currentTarget.value)} />
          </Field>
        ) : null}
        <Field id="moment-text" label="What happened (optional)">
          <textarea id="moment-text" value={text} onInput={(e) => setText(e.currentTarget.value)} />
        </Field>
        <ErrorNote error={error} />
        {done ? (
          <p class="note note-ok" role="status">
            {done}
          </p>
        ) : null}
        <button type="submit" disabled={busy}>
          {busy ? "Saving…" : "Note this moment"}
        </button>
      </form>
    </section>
  );
}

function QuestionnaireForm({ episode, session, clientName }: { episode: Episode; session: SessionRow; clientName: string }) {
  const instruments = useLoad(() => api.get<{ items: Instrument[] }>("/api/v1/instruments").then((r) => r.items), []);
  const [instrumentId, setInstrumentId] = useState(episode.instrument);
  const [answers, setAnswers] = useState<Record<string, number>>({});
  const [result, setResult] = useState<QuestionnaireResult | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const instrument = instruments.data?.find((i) => i.id === instrumentId);
  const submit = async (event: Event) => {
    event.preventDefault();
    if (!instrument) return;
    setBusy(true);
    setError(null);
    try {
      const responses = instrument.items.map((item) => (answers[item.id] === undefined ? null : answers[item.id]));
      setResult(
        await api.post<QuestionnaireResult>(`/api/v1/episodes/${episode.id}/questionnaires`, {
          instrument: instrument.id,
          session: session.id,
          answered_by: "therapist",
          responses,
        }),
      );
      setAnswers({});
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card" aria-labelledby="questionnaire-heading">
      <h2 id="questionnaire-heading">A questionnaire, answered together (optional)</h2>
      <details>
        <summary>Enter {clientName}'s answers on their behalf</summary>
        <p class="quiet">For when {clientName} answers on paper or aloud in the session. Their own answers at check-in need nothing here.</p>
        <ErrorNote error={instruments.error} />
        {instruments.data ? (
          <form class="stack" onSubmit={submit}>
            <Field id="questionnaire-instrument" label="Questionnaire">
              <select
                id="questionnaire-instrument"
                value={instrumentId}
                onChange={(e) => {
                  setInstrumentId(e.currentTarget.value);
                  setAnswers({});
                  setResult(null);
                }}
              >
                {instruments.data.map((i) => (
                  <option key={i.id} value={i.id}>
                    {i.name}
                  </option>
                ))}
              </select>
            </Field>
            {instrument ? (
              <>
                <p>{instrument.preamble}</p>
                {instrument.items.map((item, index) => (
                  <fieldset key={item.id} class="questionnaire-item">
                    <legend>
                      {index + 1}. {item.text}
                    </legend>
                    <ul class="choice-list choice-row">
                      {(item.options ?? instrument.options).map((option) => (
                        <li key={option.value}>
                          <label>
                            <input
                              type="radio"
                              name={`item-${item.id}`}
                              value={option.value}
                              checked={answers[item.id] === option.value}
                              onChange={() => setAnswers({ ...answers, [item.id]: option.value })}
                            />
                            <span>{option.label}</span>
                          </label>
                        </li>
                      ))}
                    </ul>
                  </fieldset>
                ))}
                <ErrorNote error={error} />
                <button type="submit" disabled={busy}>
                  {busy ? "Saving…" : "Save questionnaire"}
                </button>
              </>
            ) : null}
          </form>
        ) : (
          <Loading />
        )}
      </details>
      {result ? (
        <div class={`note ${result.crisis ? "note-crisis" : "note-ok"}`} role="status">
          <p>
            Saved. {result.total === null ? "Too many answers were left out for a total." : `Total ${result.total}${result.band ? ` (${result.band})` : ""}.`}
            {result.prorated ? " A missing answer was filled in from the others, as the questionnaire allows." : ""}
          </p>
          {result.crisis ? (
            <p>
              <strong>A safety answer was given.</strong> Follow your service's risk protocol now.
            </p>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
