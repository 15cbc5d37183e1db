// One episode on the client page: what to look at, the symptom chart, where each dimension
// stands (with its evidence), the goals from both ends of the room, how sessions feel, what
// progress means, and the sessions.
import { Fragment } from "preact";
import { api } from "../../api";
import { allianceChart, colours, goalChart, lastSessionNumber, scoreChart, sessionMarks } from "../../charts/timeline";
import { ErrorNote, Loading } from "../../components/common";
import { useLoad } from "../../hooks";
import { attendanceLabels, dimensionName, formatDate, label, patternLabels, signalLabels, statusLabels } from "../../texts";
import type { Client, Episode, Profile, Timeline, TimelineGoal } from "../../types";
import { agreementWords } from "./diff";
import { allianceRows, goalRows, scoreRows } from "./tables";
import type { DefinitionVersion, SessionRow } from "./types";
import { ChartTable, FitChart, Key, Scroll, signalTone, WithEvidence } from "./ui";
import { dropoutWords, gasLevelNames } from "./words";

interface EpisodeData {
  timeline: Timeline;
  profile: Profile;
  definitions: DefinitionVersion[];
  sessions: SessionRow[];
}

export function EpisodeView({ client, episode, canWrite }: { client: Client; episode: Episode; canWrite: boolean }) {
  const loaded = useLoad<EpisodeData>(async () => {
    const base = `/api/v1/episodes/${episode.id}`;
    const [timeline, profile, definitions, sessions] = await Promise.all([
      api.get<Timeline>(`${base}/timeline`),
      api.get<Profile>(`${base}/profile`),
      api.get<{ items: DefinitionVersion[] }>(`${base}/definitions`),
      api.get<{ items: SessionRow[] }>(`${base}/sessions`),
    ]);
    return { timeline, profile, definitions: definitions.items, sessions: sessions.items };
  }, [episode.id]);
  if (loaded.loading && !loaded.data) return <Loading what="Loading the episode" />;
  if (loaded.error || !loaded.data) return <ErrorNote error={loaded.error} />;
  const { timeline, profile, definitions, sessions } = loaded.data;
  const current = definitions[definitions.length - 1] ?? null;
  return (
    <>
      <Signals profile={profile} />
      <ScoreSection timeline={timeline} />
      <ProfileSection profile={profile} timeline={timeline} />
      <GoalsSection timeline={timeline} />
      <AllianceSection timeline={timeline} />
      <DefinitionSummary client={client} current={current} canWrite={canWrite && episode.status === "open"} />
      <SessionsSection sessions={sessions} showNotes={canWrite} />
    </>
  );
}

function Signals({ profile }: { profile: Profile }) {
  const dropout = dropoutWords(profile.dropout_risk);
  return (
    <section aria-labelledby="signals-heading">
      <h2 id="signals-heading">Something to look at</h2>
      {profile.signals.length === 0 ? <p class="quiet">Nothing stands out right now.</p> : null}
      <ul class="signal-cards">
        {profile.signals.map((signal, i) => {
          const text = profile.texts.signals.find((t) => t.type === signal.type && t.session === signal.session)?.therapist;
          const name = label(signalLabels, signal.type);
          return (
            <li key={`${signal.type}-${signal.session}-${i}`} class={`card signal-card ${signal.type === "crisis" ? "note-crisis" : ""}`}>
              <WithEvidence id={`signal-evidence-${i}`} evidence={signal.evidence} caption={`${name}, session ${signal.session}`}>
                <h3 class="signal-title">
                  <span class={`tag ${signalTone(signal.type)}`}>
                    {signal.type === "crisis" ? <span aria-hidden="true">⚠ </span> : null}
                    {name}
                  </span>{" "}
                  <span class="quiet">session {signal.session}</span>
                </h3>
                {text ? <p>{text}</p> : null}
                <p class="quiet">{signal.reason}</p>
              </WithEvidence>
            </li>
          );
        })}
      </ul>
      {dropout ? <p class="note note-warm">{dropout} (dropout risk {Math.round(profile.dropout_risk * 100) / 100}).</p> : null}
    </section>
  );
}

function ScoreSection({ timeline }: { timeline: Timeline }) {
  const { instrument } = timeline;
  const marks = sessionMarks(timeline, "therapist");
  const has = (kind: string) => marks.some((m) => m.kind === kind);
  const gains = timeline.sudden_changes.filter((c) => c.kind === "gain").length;
  const losses = timeline.sudden_changes.filter((c) => c.kind === "loss").length;
  const crisis = timeline.scores.some((s) => s.crisis);
  const rows = scoreRows(timeline);
  const name = `${instrument.name}: scores by session${instrument.lower_is_better ? ", lower is better" : ", higher is better"}`;
  return (
    <section class="card chart-card" aria-labelledby="scores-heading">
      <h2 id="scores-heading">Symptoms: {instrument.name}</h2>
      {timeline.scores.length === 0 ? (
        <p class="quiet">No scores yet. They appear here once the questionnaire has been answered at a session.</p>
      ) : (
        <>
          <FitChart label={name} build={(w) => scoreChart(timeline, "therapist", w)} deps={[timeline]} />
          <div class="legend" aria-label="Key to the chart">
            <Key kind="line" colour={colours.score}>
              Score
            </Key>
            {instrument.cutoff !== null ? (
              <Key kind="dash" colour={colours.cutoff}>
                Clinical cut-off ({instrument.cutoff})
              </Key>
            ) : null}
            {timeline.reliable_change_band ? (
              <Key kind="band" colour={colours.band}>
                Within {instrument.reliable_change} points of the first score: change not yet reliable
              </Key>
            ) : null}
            {timeline.expected ? (
              <Key kind="band" colour={colours.expected}>
                Expected band for clients who started alike (middle half, dashed: median)
              </Key>
            ) : null}
            {gains ? (
              <Key kind="arrow" colour={colours.gain}>
                Sudden gain
              </Key>
            ) : null}
            {losses ? (
              <Key kind="arrow" colour={colours.loss}>
                Sudden setback
              </Key>
            ) : null}
            {crisis ? (
              <Key kind="dot" colour={colours.crisis}>
                Safety answer given (larger red dot)
              </Key>
            ) : null}
            {has("missed") || has("cancelled") ? (
              <Key kind="cross" colour={colours.cutoff}>
                Missed or cancelled session
              </Key>
            ) : null}
            {has("felt-hard") ? (
              <Key kind="triangle" colour={colours.therapist}>
                Felt hard
              </Key>
            ) : null}
            {has("moment") ? (
              <Key kind="star" colour={colours.moment}>
                A moment that mattered
              </Key>
            ) : null}
          </div>
        </>
      )}
      {rows.length ? (
        <ChartTable summary="The scores and marks as a table" label={name}>
          <table>
            <caption class="visually-hidden">{name}</caption>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Date</th>
                <th scope="col">Attendance</th>
                <th scope="col">Score</th>
                <th scope="col">Marks</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.session}>
                  <th scope="row">{row.session}</th>
                  <td>{formatDate(row.date)}</td>
                  <td>{row.attendance}</td>
                  <td>{row.score}</td>
                  <td>{row.notes.join("; ")}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ChartTable>
      ) : null}
    </section>
  );
}

function ProfileSection({ profile, timeline }: { profile: Profile; timeline: Timeline }) {
  const dimensions = Object.entries(profile.dimensions);
  return (
    <section aria-labelledby="profile-heading">
      <h2 id="profile-heading">Where things stand</h2>
      <p class="quiet no-print">Each finding shows the rule, the sessions and the numbers behind it: choose “Evidence”.</p>
      <ul class="dimension-list">
        {dimensions.map(([key, status]) => {
          const name = dimensionName(key, timeline.goals);
          return (
            <li key={key} class="card dimension">
              <WithEvidence id={`dimension-evidence-${key.replace(/[^a-z0-9]/gi, "-")}`} evidence={profile.evidence.dimensions[key]} caption={name}>
                <h3 class="dimension-name">{name}</h3>
                <p>
                  <span class={`tag status status-${status}`}>{label(statusLabels, status)}</span>
                </p>
                <p>{profile.texts.dimensions[key]?.therapist}</p>
              </WithEvidence>
            </li>
          );
        })}
      </ul>
      <h3>Patterns</h3>
      {profile.patterns.length === 0 ? <p class="quiet">No pattern named yet; it takes a few sessions.</p> : null}
      <ul class="dimension-list">
        {profile.patterns.map((pattern) => (
          <li key={pattern} class="card dimension">
            <WithEvidence id={`pattern-evidence-${pattern}`} evidence={profile.evidence.patterns[pattern]} caption={label(patternLabels, pattern)}>
              <p>
                <span class="tag pattern">{label(patternLabels, pattern)}</span>
              </p>
              <p>{profile.texts.patterns[pattern]?.therapist}</p>
            </WithEvidence>
          </li>
        ))}
      </ul>
    </section>
  );
}

function GoalsSection({ timeline }: { timeline: Timeline }) {
  const last = lastSessionNumber(timeline);
  return (
    <section aria-labelledby="goals-heading">
      <h2 id="goals-heading">Goals, from both ends of the room</h2>
      {timeline.goals.length === 0 ? <p class="quiet">No goals yet: they come from the progress conversation.</p> : null}
      {timeline.goals.map((goal) => (
        <GoalCard key={goal.key} goal={goal} last={last} />
      ))}
    </section>
  );
}

function GoalCard({ goal, last }: { goal: TimelineGoal; last: number }) {
  const rows = goalRows(goal);
  const name = `Goal “${goal.text}”: client and therapist ratings by session`;
  return (
    <div class="card chart-card">
      <h3>{goal.text}</h3>
      <p class="quiet">{goal.scale === "gas" ? "Five described levels, −2 to +2" : "Rated 0 to 10: how close"}</p>
      {rows.length ? (
        <>
          <FitChart label={name} build={(w) => goalChart(goal, last, w)} deps={[goal, last]} />
          <div class="legend" aria-label="Key to the chart">
            <Key kind="line" colour={colours.client}>
              Client
            </Key>
            <Key kind="dash" colour={colours.therapist}>
              Therapist
            </Key>
          </div>
        </>
      ) : (
        <p class="quiet">Not rated yet.</p>
      )}
      {goal.scale === "gas" && goal.gas_levels.length ? (
        <details class="gas-levels">
          <summary>What each level looks like</summary>
          <dl class="facts">
            {goal.gas_levels.map((words, i) => (
              <Fragment key={i}>
                <dt>{gasLevelNames[i]}</dt>
                <dd>{words}</dd>
              </Fragment>
            ))}
          </dl>
        </details>
      ) : null}
      {rows.length ? (
        <ChartTable summary="The ratings as a table" label={name}>
          <table>
            <caption class="visually-hidden">{name}</caption>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Client</th>
                <th scope="col">Therapist</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.session}>
                  <th scope="row">{row.session}</th>
                  <td>{row.client || "–"}</td>
                  <td>{row.therapist || "–"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ChartTable>
      ) : null}
    </div>
  );
}

function AllianceSection({ timeline }: { timeline: Timeline }) {
  const rows = allianceRows(timeline);
  const name = "How sessions felt to the client, 0 to 10, by session";
  return (
    <section class="card chart-card" aria-labelledby="alliance-heading">
      <h2 id="alliance-heading">How sessions feel (the client's rating)</h2>
      {rows.length === 0 ? (
        <p class="quiet">No ratings yet.</p>
      ) : (
        <>
          <FitChart label={name} build={(w) => allianceChart(timeline, w)} deps={[timeline]} />
          <div class="legend" aria-label="Key to the chart">
            <Key kind="line" colour={colours.client}>
              Client's rating
            </Key>
            <Key kind="dash" colour={colours.cutoff}>
              6: below it, or a drop of 2, is worth talking about
            </Key>
          </div>
          <ChartTable summary="The ratings as a table" label={name}>
            <table>
              <caption class="visually-hidden">{name}</caption>
              <thead>
                <tr>
                  <th scope="col">Session</th>
                  <th scope="col">Rating</th>
                  <th scope="col">Note</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((row) => (
                  <tr key={row.session}>
                    <th scope="row">{row.session}</th>
                    <td>{row.value}</td>
                    <td>{row.note}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </ChartTable>
        </>
      )}
    </section>
  );
}

function DefinitionSummary({ client, current, canWrite }: { client: Client; current: DefinitionVersion | null; canWrite: boolean }) {
  return (
    <section class="card" aria-labelledby="definition-heading">
      <h2 id="definition-heading">What progress means for {client.display_name}</h2>
      {!current ? (
        <p>
          Not written down yet.{" "}
          {canWrite ? <a href={`/clients/${client.id}/progress`}>Have the progress conversation together</a> : null}
        </p>
      ) : (
        <>
          <p class="quiet">
            Version {current.version}, written {formatDate(current.changed_at)}
            {current.revised_at_session ? ` at session ${current.revised_at_session}` : ""}. {agreementWords(current)}.
          </p>
          <dl class="definition-facts">
            <dt>What they hope for</dt>
            <dd>{current.hopes || "–"}</dd>
            <dt>What “better” looks like</dt>
            <dd>{current.better_looks_like || "–"}</dd>
            <dt>Small shifts that would matter</dt>
            <dd>{current.small_shifts || "–"}</dd>
            <dt>Goals</dt>
            <dd>
              <ul>
                {current.goals.map((g) => (
                  <li key={g.key}>
                    {g.text} <span class="quiet">({g.scale === "gas" ? "five levels" : "0 to 10"})</span>
                  </li>
                ))}
              </ul>
            </dd>
          </dl>
          {canWrite ? (
            <p class="no-print">
              <a href={`/clients/${client.id}/progress`}>Revisit what progress means, or see the history</a>
            </p>
          ) : null}
        </>
      )}
    </section>
  );
}

function SessionsSection({ sessions, showNotes }: { sessions: SessionRow[]; showNotes: boolean }) {
  const ordered = [...sessions].sort((a, b) => b.number - a.number);
  return (
    <section aria-labelledby="sessions-heading">
      <h2 id="sessions-heading">Sessions</h2>
      {ordered.length === 0 ? (
        <p class="quiet">No sessions recorded yet.</p>
      ) : (
        <Scroll label="Table of sessions, latest first" extraClass="card sessions-card">
          <table class="sessions-table">
            <caption class="visually-hidden">Sessions, latest first</caption>
            <thead>
              <tr>
                <th scope="col">Session</th>
                <th scope="col">Date</th>
                <th scope="col">Attendance</th>
                <th scope="col">Felt hard</th>
                {showNotes ? (
                  <th scope="col" class="no-print">
                    Your notes
                  </th>
                ) : null}
              </tr>
            </thead>
            <tbody>
              {ordered.map((s) => (
                <tr key={s.id}>
                  <th scope="row">{s.number}</th>
                  <td>{formatDate(s.date)}</td>
                  <td>
                    <span class={`tag ${s.attendance === "attended" ? "" : "tag-warm"}`}>{label(attendanceLabels, s.attendance)}</span>
                  </td>
                  <td>{[s.felt_hard_client ? "for the client" : "", s.felt_hard_therapist ? (showNotes ? "for you" : "for the therapist") : ""].filter(Boolean).join(", ") || "–"}</td>
                  {showNotes ? <td class="notes no-print">{s.therapist_notes || <span class="quiet">–</span>}</td> : null}
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      )}
    </section>
  );
}
