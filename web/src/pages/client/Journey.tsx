// "My journey": the client's own progress in plain, kind words. The pattern and each part of
// it in the server's client sentences only (never the clinician's wording or the numbers
// behind it), their goals and questionnaire answers over time with a text alternative, what
// better looks like in their words, and the agreement made together with its history.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { goalChart, lastSessionNumber, scoreChart, scorePoints } from "../../charts/timeline";
import { ErrorNote, Loading } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { useMe } from "../../session";
import { formatDate, label, statusLabels } from "../../texts";
import type { Episode, Goal, Organisation, Profile, Timeline, TimelineGoal } from "../../types";
import { Chart, ClientPage, HelpNow, myEpisodes } from "./parts";
import type { DefinitionVersion } from "./types";
import { chooseEpisode, describeChanges, dimensionOrder, gasLevelNames, gasLevelNumber, gasLevelWords, momentLabel, newestFirst, shortName, withGoalWords } from "./words";
import "./client.css";

export function JourneyPage() {
  useTitle("My journey");
  const me = useMe();
  const episodes = useLoad(() => myEpisodes(me), [me.id]);
  const organisation = useLoad(() => api.get<Organisation>("/api/v1/organisation"), []);
  const [chosen, setChosen] = useState<number | null>(null);
  const list = episodes.data ?? [];
  const episode = list.find((e) => e.id === chosen) ?? chooseEpisode(list);
  return (
    <ClientPage title="My journey">
      <HelpNow text={organisation.data?.crisis_text ?? ""} />
      {episodes.error ? <ErrorNote error={episodes.error} /> : null}
      {!episodes.data && !episodes.error ? <Loading /> : null}
      {episodes.data && !episode ? <p class="note note-warm">Your journey will show here once you and your therapist have started working together.</p> : null}
      {list.length > 1 && episode ? <EpisodeChooser episodes={list} value={episode.id} onChange={setChosen} /> : null}
      {episode ? <EpisodeJourney key={episode.id} episode={episode} /> : null}
    </ClientPage>
  );
}

function episodeName(e: Episode): string {
  return e.status === "open" ? `From ${formatDate(e.opened)} (now)` : `${formatDate(e.opened)} to ${formatDate(e.closed)}`;
}

function EpisodeChooser({ episodes, value, onChange }: { episodes: Episode[]; value: number; onChange: (id: number) => void }) {
  const sorted = [...episodes].sort((a, b) => b.opened.localeCompare(a.opened));
  return (
    <div class="field episode-chooser">
      <label for="episode">Which time in therapy</label>
      <select id="episode" value={value} onChange={(e) => onChange(Number(e.currentTarget.value))}>
        {sorted.map((e) => (
          <option key={e.id} value={e.id}>
            {episodeName(e)}
          </option>
        ))}
      </select>
    </div>
  );
}

interface JourneyData {
  timeline: Timeline;
  profile: Profile;
  versions: DefinitionVersion[];
}

async function loadJourney(episode: number): Promise<JourneyData> {
  const [timeline, profile, versions] = await Promise.all([
    api.get<Timeline>(`/api/v1/episodes/${episode}/timeline`),
    api.get<Profile>(`/api/v1/episodes/${episode}/profile`),
    api.get<{ items: DefinitionVersion[] }>(`/api/v1/episodes/${episode}/definitions`),
  ]);
  return { timeline, profile, versions: versions.items };
}

function EpisodeJourney({ episode }: { episode: Episode }) {
  const loaded = useLoad(() => loadJourney(episode.id), [episode.id]);
  if (loaded.error && !loaded.data) {
    return (
      <>
        <ErrorNote error={loaded.error} />
        <button type="button" onClick={loaded.reload}>
          Try again
        </button>
      </>
    );
  }
  if (!loaded.data) return <Loading />;
  const { timeline, profile, versions } = loaded.data;
  const current = versions.length ? [...versions].sort((a, b) => b.version - a.version)[0] : undefined;
  const goals: { key: string; text: string }[] = [...(current?.goals ?? []), ...timeline.goals];
  return (
    <>
      {episode.status === "closed" ? <p class="quiet">This time in therapy ended on {formatDate(episode.closed)}. Here is how it went.</p> : null}
      <HowItIsGoing profile={profile} timeline={timeline} goals={goals} ended={episode.status === "closed"} />
      <GoalsOverTime timeline={timeline} />
      <ScoresOverTime timeline={timeline} />
      <Moments timeline={timeline} />
      <BetterInYourWords current={current} />
      <Agreement episode={episode} versions={versions} onAgreed={loaded.reload} />
    </>
  );
}

function dimensionTitle(key: string, timeline: Timeline, goals: { key: string; text: string }[]): string {
  if (key === timeline.instrument.id) return `Your answers to the ${shortName(timeline.instrument.name, timeline.instrument.id)}`;
  if (key.startsWith("goal:")) return goals.find((g) => `goal:${g.key}` === key)?.text ?? "A goal";
  if (key === "alliance") return "How sessions feel";
  if (key === "engagement") return "Coming to sessions";
  return key;
}

function HowItIsGoing({ profile, timeline, goals, ended }: { profile: Profile; timeline: Timeline; goals: { key: string; text: string }[]; ended: boolean }) {
  const patterns = profile.patterns.map((p) => profile.texts.patterns[p]?.client).filter((t): t is string => Boolean(t));
  const keys = dimensionOrder(Object.keys(profile.texts.dimensions), timeline.instrument.id, goals);
  const signals = profile.texts.signals.map((s) => s.client).filter(Boolean);
  return (
    <section aria-labelledby="going-heading">
      <h2 id="going-heading">{ended ? "How things went" : "How things are going"}</h2>
      <div class="card pattern-card">
        {patterns.length ? (
          patterns.map((text, i) => (
            <p key={i} class="lead">
              {withGoalWords(text, goals)}
            </p>
          ))
        ) : (
          <p class="lead">Progress is rarely a straight line. As you keep checking in, this page will show how things are moving for you.</p>
        )}
      </div>
      {keys.length ? (
        <ul class="going-list">
          {keys.map((key) => (
            <li key={key} class="card">
              <h3>
                {dimensionTitle(key, timeline, goals)}
                {profile.dimensions[key] ? <span class="tag">{label(statusLabels, profile.dimensions[key])}</span> : null}
              </h3>
              <p>{withGoalWords(profile.texts.dimensions[key].client, goals)}</p>
            </li>
          ))}
        </ul>
      ) : null}
      {signals.length ? (
        <>
          <h3>Worth talking about together</h3>
          <ul class="plain-list">
            {signals.map((text, i) => (
              <li key={i}>{withGoalWords(text, goals)}</li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

function goalValueWords(goal: TimelineGoal, value: number | undefined): string {
  if (value === undefined) return "–";
  return goal.scale === "gas" ? gasLevelWords(goal, value) : `${value} of 10`;
}

function GoalsOverTime({ timeline }: { timeline: Timeline }) {
  const last = lastSessionNumber(timeline);
  const rated = timeline.goals.filter((g) => g.ratings.length);
  return (
    <section aria-labelledby="goals-heading">
      <h2 id="goals-heading">Your goals over time</h2>
      {rated.length ? (
        <p class="legend">
          <span>
            <span class="swatch swatch-client" />
            Your ratings (solid line)
          </span>
          <span>
            <span class="swatch swatch-therapist" />
            Your therapist's ratings (dashed line)
          </span>
        </p>
      ) : (
        <p class="quiet">Your goal ratings will show here after your first check-in.</p>
      )}
      {rated.map((goal) => (
        <GoalOverTime key={goal.key} goal={goal} last={last} />
      ))}
    </section>
  );
}

function GoalOverTime({ goal, last }: { goal: TimelineGoal; last: number }) {
  const build = useCallback((width: number) => goalChart(goal, last, width), [goal, last]);
  const sessions = [...new Set(goal.ratings.map((r) => r.session))].sort((a, b) => a - b);
  const at = (session: number, rater: "client" | "therapist") => goal.ratings.find((r) => r.session === session && r.rater === rater)?.value;
  const scaleWords = goal.scale === "gas" ? "levels −2 to +2, where 0 is what you hoped for" : "0 to 10, how close you feel";
  return (
    <div class="card goal-over-time">
      <h3>{goal.text}</h3>
      <p class="hint">Rated {scaleWords}.</p>
      <Chart build={build} label={`${goal.text}: your ratings and your therapist's, session by session (${scaleWords})`} />
      <details>
        <summary>The ratings as a table</summary>
        <div class="table-scroll">
          <table>
            <caption class="visually-hidden">{goal.text}: ratings by session</caption>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">You</th>
                <th scope="col">Your therapist</th>
              </tr>
            </thead>
            <tbody>
              {sessions.map((s) => (
                <tr key={s}>
                  <th scope="row">{s}</th>
                  <td>{goalValueWords(goal, at(s, "client"))}</td>
                  <td>{goalValueWords(goal, at(s, "therapist"))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </div>
  );
}

function ScoresOverTime({ timeline }: { timeline: Timeline }) {
  const build = useCallback((width: number) => scoreChart(timeline, "client", width), [timeline]);
  const points = scorePoints(timeline);
  const { instrument } = timeline;
  const name = shortName(instrument.name, instrument.id);
  const notes = sessionNotes(timeline);
  return (
    <section aria-labelledby="scores-heading">
      <h2 id="scores-heading">Your {name} answers over time</h2>
      {points.length ? (
        <div class="card">
          <p class="hint">
            {instrument.name}: from {instrument.min} to {instrument.max}; {instrument.lower_is_better ? "lower means fewer difficulties" : "higher means things are better"}. Ups and downs
            along the way are normal.
          </p>
          <Chart build={build} label={`Your ${name} totals, session by session`} />
          <ul class="legend">
            <li>● your total at each session</li>
            {timeline.reliable_change_band ? <li>shaded band: changes inside it are within everyday ups and downs</li> : null}
            {instrument.cutoff !== null ? <li>dashed line: the level services use as a guide ({instrument.cutoff})</li> : null}
            <li>★ a moment that mattered · ▲ a session that felt hard · × a session that did not happen</li>
            {points.some((p) => p.crisis) ? <li>larger red dot: a time you told us you had thoughts of hurting yourself</li> : null}
          </ul>
          <details>
            <summary>Your answers as a table</summary>
            <div class="table-scroll">
              <table>
                <caption class="visually-hidden">Your {name} totals by session</caption>
                <thead>
                  <tr>
                    <th scope="col">Session</th>
                    <th scope="col">Date</th>
                    <th scope="col">Total</th>
                    <th scope="col">Also</th>
                  </tr>
                </thead>
                <tbody>
                  {points.map((p) => (
                    <tr key={p.session}>
                      <th scope="row">{p.session}</th>
                      <td>{formatDate(p.date)}</td>
                      <td>{p.total}</td>
                      <td>{[p.crisis ? "you told us about thoughts of hurting yourself" : "", ...(notes.get(p.session) ?? [])].filter(Boolean).join("; ")}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </div>
      ) : (
        <p class="quiet">Your answers will show here once you have filled in the {name}.</p>
      )}
    </section>
  );
}

// What else happened at each session, in the client's terms.
function sessionNotes(timeline: Timeline): Map<number, string[]> {
  const notes = new Map<number, string[]>();
  const add = (session: number, text: string) => notes.set(session, [...(notes.get(session) ?? []), text]);
  for (const s of timeline.sessions) {
    if (s.attendance === "dna") add(s.number, "the session did not happen");
    if (s.attendance === "cancelled") add(s.number, "the session was cancelled");
    if (s.felt_hard_client) add(s.number, "you said the session felt hard");
  }
  for (const m of timeline.moments) add(m.session, `${m.by === "client" ? "you" : "your therapist"} noted a moment: ${momentLabel(m.tag).toLowerCase()}`);
  return notes;
}

function Moments({ timeline }: { timeline: Timeline }) {
  if (!timeline.moments.length) return null;
  const sorted = [...timeline.moments].sort((a, b) => b.session - a.session);
  return (
    <section aria-labelledby="moments-heading">
      <h2 id="moments-heading">Moments that mattered</h2>
      <ul class="moment-list">
        {sorted.map((m, i) => (
          <li key={i} class="card">
            <p class="moment-head">
              <strong>{momentLabel(m.tag)}</strong> <span class="quiet">· session {m.session} · noted by {m.by === "client" ? "you" : "your therapist"}</span>
            </p>
            {m.text ? <p>{m.text}</p> : null}
          </li>
        ))}
      </ul>
    </section>
  );
}

function GoalWords({ goal }: { goal: Goal }) {
  if (goal.scale !== "gas") {
    return (
      <li class="card">
        <h4>{goal.text}</h4>
        <p class="hint">Rated from 0 to 10: how close you feel to it.</p>
      </li>
    );
  }
  const levels = goal.gas_levels ?? [];
  return (
    <li class="card">
      <h4>{goal.text}</h4>
      <p class="hint">Five steps, in your words; 0 is what you hoped for.</p>
      <ol class="gas-levels">
        {[4, 3, 2, 1, 0].map((i) => (
          <li key={i} class={i === 2 ? "gas-hoped" : undefined}>
            <span class="gas-number">{gasLevelNumber(i)}</span>
            <span>
              {levels[i] ?? ""}
              <span class="level-name">{gasLevelNames[i]}</span>
            </span>
          </li>
        ))}
      </ol>
    </li>
  );
}

function BetterInYourWords({ current }: { current: DefinitionVersion | undefined }) {
  return (
    <section aria-labelledby="better-heading">
      <h2 id="better-heading">What better looks like, in your words</h2>
      {current ? (
        <>
          <dl class="words">
            <dt>What you hope for</dt>
            <dd>{current.hopes || "–"}</dd>
            <dt>What better looks like</dt>
            <dd>{current.better_looks_like || "–"}</dd>
            <dt>Small shifts that would matter</dt>
            <dd>{current.small_shifts || "–"}</dd>
          </dl>
          <h3>Your goals</h3>
          <ul class="goal-words">
            {current.goals.map((goal) => (
              <GoalWords key={goal.key} goal={goal} />
            ))}
          </ul>
        </>
      ) : (
        <p class="quiet">You and your therapist have not written this down yet. You will do it together at a session.</p>
      )}
    </section>
  );
}

function agreedLine(at: string | null, who: "you" | "therapist"): string {
  if (who === "you") return at ? `You agreed on ${formatDate(at)}.` : "You have not agreed to this version yet.";
  return at ? `Your therapist agreed on ${formatDate(at)}.` : "Your therapist has not agreed to this version yet.";
}

function Agreement({ episode, versions, onAgreed }: { episode: Episode; versions: DefinitionVersion[]; onAgreed: () => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [thanks, setThanks] = useState(false);
  const history = newestFirst(versions);
  const current = history[0]?.version;
  useEffect(() => setThanks(false), [episode.id]);
  if (!current) return null;
  const agree = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/episodes/${episode.id}/definitions/${current.version}/agree`);
      setThanks(true);
      onAgreed();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="agreement-heading">
      <h2 id="agreement-heading">The agreement you made together</h2>
      <div class="card">
        <p>
          <strong>Version {current.version}</strong>, written {formatDate(current.changed_at)}
          {current.revised_at_session ? ` at session ${current.revised_at_session}` : ""}.
        </p>
        <p>{agreedLine(current.client_agreed_at, "you")}</p>
        <p>{agreedLine(current.therapist_agreed_at, "therapist")}</p>
        {!current.client_agreed_at && episode.status === "open" ? (
          <>
            <p class="hint">Read it through above. If something does not fit, talk it over at your next session: you can change it together.</p>
            <button type="button" class="primary" disabled={busy} onClick={agree}>
              I agree with this version
            </button>
          </>
        ) : null}
        <ErrorNote error={error} />
        <p class="saved" role="status" aria-live="polite">
          {thanks ? "Thank you. Your agreement is saved." : ""}
        </p>
      </div>
      <h3>How it has changed</h3>
      <ol class="version-history" reversed>
        {history.map(({ version, previous }) => (
          <li key={version.version} class="card">
            <p>
              <strong>Version {version.version}</strong> · {formatDate(version.changed_at)}
              {version.revised_at_session ? ` · session ${version.revised_at_session}` : ""}
            </p>
            <ul>
              {describeChanges(version, previous).map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
            {version.change_note ? <blockquote>{version.change_note}</blockquote> : null}
            <p class="quiet">
              {agreedLine(version.client_agreed_at, "you")} {agreedLine(version.therapist_agreed_at, "therapist")}
            </p>
          </li>
        ))}
      </ol>
    </section>
  );
}
