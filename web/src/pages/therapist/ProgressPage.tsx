// The progress conversation: what progress means for this client, in their words. The
// current version and who has agreed to it, an editor that writes a new version (history is
// kept), and every earlier version with what changed, side by side.
import { Fragment } from "preact";
import { useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { ErrorNote, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { formatDate, formatDateTime } from "../../texts";
import type { Episode } from "../../types";
import { agreementWords, changeSentences, compareVersions, side, type Segment, type TextComparison } from "./diff";
import { checkDraft, draftChanges, draftFrom, draftToRequest, emptyGoal, withSuggestedKeys, type DefinitionDraft, type DraftProblem, type GoalDraft } from "./draft";
import type { DefinitionVersion } from "./types";
import { Scroll } from "./ui";
import { useClientEpisode } from "./useClient";
import { definitionFieldLabels, gasLevelNames, scaleLabels } from "./words";
import "./therapist.css";

export function ProgressPage({ id }: { id: string }) {
  const loaded = useClientEpisode(id);
  const name = loaded.data?.client.display_name;
  useTitle(name ? `Progress with ${name}` : "Progress conversation");
  if (loaded.loading && !loaded.data) {
    return (
      <Page title="What does progress mean for you?">
        <Loading />
      </Page>
    );
  }
  if (loaded.error || !loaded.data) {
    return (
      <Page title="What does progress mean for you?">
        <ErrorNote error={loaded.error} />
      </Page>
    );
  }
  const { client, episode } = loaded.data;
  return (
    <Page title="What does progress mean for you?" wide>
      <p class="lead">
        The progress conversation with <a href={`/clients/${client.id}`}>{client.display_name}</a>. Ask it together: what they hope for, what “better” would look
        like in their world, which small shifts would feel meaningful. Write it in their words. It can change later; every version is kept.
      </p>
      {!episode ? (
        <p class="note note-warm">
          There is no episode yet. <a href={`/clients/${client.id}`}>Open an episode on {client.display_name}'s page</a> first.
        </p>
      ) : (
        <Conversation episode={episode} clientName={client.display_name} />
      )}
    </Page>
  );
}

function Conversation({ episode, clientName }: { episode: Episode; clientName: string }) {
  const versions = useLoad(() => api.get<{ items: DefinitionVersion[] }>(`/api/v1/episodes/${episode.id}/definitions`).then((r) => r.items), [episode.id]);
  const [saved, setSaved] = useState<number | null>(null);
  if (versions.loading && !versions.data) return <Loading />;
  if (versions.error || !versions.data) return <ErrorNote error={versions.error} />;
  const list = versions.data;
  const current = list[list.length - 1] ?? null;
  const open = episode.status === "open";
  return (
    <>
      {current ? (
        <CurrentVersion version={current} clientName={clientName} episode={episode} onAgreed={versions.reload} />
      ) : (
        <p class="note note-warm">Nothing is written down yet. Start below, together.</p>
      )}
      {saved !== null && current?.version === saved ? (
        <p class="note note-ok" role="status">
          Version {saved} is saved. When you both feel it says what progress means, each of you agrees to it: you here, {clientName} at their check-in.
        </p>
      ) : null}
      {open ? (
        <Editor
          key={current?.version ?? 0}
          episode={episode}
          current={current}
          onSaved={(version) => {
            setSaved(version);
            versions.reload();
          }}
        />
      ) : (
        <p class="note">This episode is closed, so what progress means stays as it was last agreed.</p>
      )}
      {list.length ? <History versions={list} /> : null}
    </>
  );
}

function CurrentVersion({ version, clientName, episode, onAgreed }: { version: DefinitionVersion; clientName: string; episode: Episode; onAgreed: () => void }) {
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const agree = async () => {
    setBusy(true);
    setError(null);
    try {
      await api.post(`/api/v1/episodes/${episode.id}/definitions/${version.version}/agree`);
      onAgreed();
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="card current-version" aria-labelledby="current-heading">
      <h2 id="current-heading">As it stands: version {version.version}</h2>
      <p class="quiet">
        Written {formatDateTime(version.changed_at)}
        {version.revised_at_session ? `, at session ${version.revised_at_session}` : ""}.
      </p>
      <VersionBody version={version} />
      <h3>Agreement</h3>
      <ul class="agreement">
        <li>
          <span class={`tag ${version.client_agreed_at ? "tag-ok" : ""}`}>{clientName}</span>{" "}
          {version.client_agreed_at ? `agreed ${formatDateTime(version.client_agreed_at)}` : "has not agreed yet (they can at their check-in)"}
        </li>
        <li>
          <span class={`tag ${version.therapist_agreed_at ? "tag-ok" : ""}`}>You</span>{" "}
          {version.therapist_agreed_at ? `agreed ${formatDateTime(version.therapist_agreed_at)}` : "have not agreed yet"}
        </li>
      </ul>
      <p>
        <strong>{agreementWords(version)}.</strong>
      </p>
      {!version.therapist_agreed_at && episode.status === "open" ? (
        <button type="button" class="primary" onClick={agree} disabled={busy}>
          {busy ? "Saving…" : "I agree with this version"}
        </button>
      ) : null}
      <ErrorNote error={error} />
    </section>
  );
}

function VersionBody({ version }: { version: DefinitionVersion }) {
  return (
    <dl class="definition-facts">
      <dt>{definitionFieldLabels.hopes}</dt>
      <dd>{version.hopes || "–"}</dd>
      <dt>{definitionFieldLabels.better_looks_like}</dt>
      <dd>{version.better_looks_like || "–"}</dd>
      <dt>{definitionFieldLabels.small_shifts}</dt>
      <dd>{version.small_shifts || "–"}</dd>
      <dt>{definitionFieldLabels.goals}</dt>
      <dd>
        <ol class="goal-list">
          {version.goals.map((g) => (
            <li key={g.key}>
              <p>
                {g.text} <span class="quiet">({g.scale === "gas" ? "five described levels" : "rated 0 to 10"} · {g.key})</span>
              </p>
              {g.scale === "gas" ? (
                <dl class="facts gas-facts">
                  {(g.gas_levels ?? []).map((words, i) => (
                    <Fragment key={i}>
                      <dt>{gasLevelNames[i]}</dt>
                      <dd>{words}</dd>
                    </Fragment>
                  ))}
                </dl>
              ) : null}
            </li>
          ))}
        </ol>
      </dd>
      {version.change_note ? (
        <>
          <dt>Why it changed</dt>
          <dd>{version.change_note}</dd>
        </>
      ) : null}
    </dl>
  );
}

function problemFor(problems: DraftProblem[], field: string): DraftProblem | undefined {
  return problems.find((p) => p.field === field);
}

function Editor({ episode, current, onSaved }: { episode: Episode; current: DefinitionVersion | null; onSaved: (version: number) => void }) {
  const [draft, setDraft] = useState<DefinitionDraft>(() => draftFrom(current));
  const [problems, setProblems] = useState<DraftProblem[]>([]);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [unchanged, setUnchanged] = useState(false);
  const update = (next: DefinitionDraft) => {
    setDraft(withSuggestedKeys(next));
    setUnchanged(false);
  };
  const setGoal = (index: number, patch: Partial<GoalDraft>) => update({ ...draft, goals: draft.goals.map((g, i) => (i === index ? { ...g, ...patch } : g)) });
  const move = (index: number, by: number) => {
    const goals = [...draft.goals];
    const [goal] = goals.splice(index, 1);
    goals.splice(index + by, 0, goal);
    update({ ...draft, goals });
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    const found = checkDraft(draft);
    setProblems(found);
    if (found.length) {
      document.getElementById("editor-problems")?.focus();
      return;
    }
    if (!draftChanges(draft, current)) {
      setUnchanged(true);
      return;
    }
    setBusy(true);
    try {
      const result = await api.post<{ version: number }>(`/api/v1/episodes/${episode.id}/definitions`, draftToRequest(draft));
      onSaved(result.version);
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  const invalid = (field: string) => (problemFor(problems, field) ? true : undefined);
  return (
    <section class="card editor" aria-labelledby="editor-heading">
      <h2 id="editor-heading">{current ? "Write a new version" : "Write it down together"}</h2>
      <p class="quiet">
        {current
          ? `Starts from version ${current.version}. Saving keeps version ${current.version} in the history and makes this the current one.`
          : "A few sentences are enough. Goals in the client's own words work best."}
      </p>
      <form class="stack" onSubmit={submit} noValidate>
        <TextArea id="def-hopes" label="What do you hope for?" hint="Their hopes, in their words." value={draft.hopes} invalid={invalid("hopes")} onInput={(v) => update({ ...draft, hopes: v })} />
        <TextArea
          id="def-better"
          label="What would “better” look like, day to day?"
          hint="What would they, or people around them, notice?"
          value={draft.better_looks_like}
          onInput={(v) => update({ ...draft, better_looks_like: v })}
        />
        <TextArea
          id="def-shifts"
          label="Which small shifts would feel meaningful?"
          hint="Small is good: the first signs that things are moving."
          value={draft.small_shifts}
          onInput={(v) => update({ ...draft, small_shifts: v })}
        />
        <fieldset class="goals-editor">
          <legend>Goals</legend>
          {draft.goals.map((goal, index) => (
            <GoalEditor
              key={index}
              goal={goal}
              index={index}
              count={draft.goals.length}
              problems={problems}
              onChange={(patch) => setGoal(index, patch)}
              onMove={(by) => move(index, by)}
              onRemove={() => update({ ...draft, goals: draft.goals.filter((_, i) => i !== index) })}
            />
          ))}
          <button type="button" onClick={() => update({ ...draft, goals: [...draft.goals, emptyGoal()] })}>
            Add a goal
          </button>
        </fieldset>
        {current ? (
          <TextArea
            id="def-note"
            label="What changed, and why?"
            hint="A line for the history, e.g. “Six weeks in we both felt the first goal was too vague.”"
            value={draft.change_note}
            onInput={(v) => update({ ...draft, change_note: v })}
          />
        ) : null}
        <div id="editor-problems" tabIndex={-1}>
          {problems.length ? (
            <div class="note note-error" role="alert">
              <p>Before saving, please look at:</p>
              <ul>
                {problems.map((p) => (
                  <li key={p.field}>{p.message}</li>
                ))}
              </ul>
            </div>
          ) : null}
        </div>
        {unchanged ? (
          <p class="note note-warm" role="status">
            Nothing has changed from version {current?.version}. To say it still fits, use “I agree with this version” above.
          </p>
        ) : null}
        <ErrorNote error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? "Saving…" : "Save this version"}
        </button>
      </form>
    </section>
  );
}

function TextArea({ id, label, hint, value, invalid, onInput }: { id: string; label: string; hint?: string; value: string; invalid?: boolean; onInput: (value: string) => void }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      <textarea id={id} aria-describedby={hint ? `${id}-hint` : undefined} aria-invalid={invalid} value={value} onInput={(e) => onInput(e.currentTarget.value)} />
    </div>
  );
}

function GoalEditor({
  goal,
  index,
  count,
  problems,
  onChange,
  onMove,
  onRemove,
}: {
  goal: GoalDraft;
  index: number;
  count: number;
  problems: DraftProblem[];
  onChange: (patch: Partial<GoalDraft>) => void;
  onMove: (by: number) => void;
  onRemove: () => void;
}) {
  const base = `goal-${index}`;
  const where = `goals[${index}]`;
  const number = index + 1;
  return (
    <fieldset class="goal-editor">
      <legend>Goal {number}</legend>
      <div class="field">
        <label for={`${base}-text`}>Goal {number} in the client's words</label>
        <input
          id={`${base}-text`}
          type="text"
          value={goal.text}
          aria-invalid={problemFor(problems, `${where}.text`) ? true : undefined}
          onInput={(e) => onChange({ text: e.currentTarget.value })}
        />
      </div>
      <div class="grid-2">
        <div class="field">
          <label for={`${base}-key`}>Goal {number} short name</label>
          <p class="hint" id={`${base}-key-hint`}>
            {goal.isNew ? "Lower-case letters, digits and hyphens; made from the words unless you type one." : "Kept as it was, so this goal's ratings stay with it."}
          </p>
          <input
            id={`${base}-key`}
            type="text"
            value={goal.key}
            readOnly={!goal.isNew}
            autoComplete="off"
            spellcheck={false}
            aria-describedby={`${base}-key-hint`}
            aria-invalid={problemFor(problems, `${where}.key`) ? true : undefined}
            onInput={(e) => onChange({ key: e.currentTarget.value, keyTyped: e.currentTarget.value.trim() !== "" })}
          />
        </div>
        <div class="field">
          <label for={`${base}-scale`}>Goal {number} is rated</label>
          <select id={`${base}-scale`} value={goal.scale} onChange={(e) => onChange({ scale: e.currentTarget.value as GoalDraft["scale"] })}>
            <option value="gbo">{scaleLabels.gbo}</option>
            <option value="gas">{scaleLabels.gas}</option>
          </select>
        </div>
      </div>
      {goal.scale === "gas" ? (
        <fieldset class="gas-editor">
          <legend>What would each level of goal {number} look like?</legend>
          <p class="hint">Concretely, in the client's words: what would a small shift look like?</p>
          {goal.gasLevels.map((level, l) => (
            <div class="field" key={l}>
              <label for={`${base}-level-${l}`}>
                Goal {number}, level {gasLevelNames[l]}
              </label>
              <input
                id={`${base}-level-${l}`}
                type="text"
                value={level}
                aria-invalid={problemFor(problems, `${where}.gas_levels[${l}]`) ? true : undefined}
                onInput={(e) => onChange({ gasLevels: goal.gasLevels.map((v, i) => (i === l ? e.currentTarget.value : v)) })}
              />
            </div>
          ))}
        </fieldset>
      ) : null}
      <div class="row goal-tools">
        <button type="button" onClick={() => onMove(-1)} disabled={index === 0}>
          Move goal {number} up
        </button>
        <button type="button" onClick={() => onMove(1)} disabled={index === count - 1}>
          Move goal {number} down
        </button>
        <button type="button" onClick={onRemove}>
          Set goal {number} aside
        </button>
      </div>
    </fieldset>
  );
}

function History({ versions }: { versions: DefinitionVersion[] }) {
  const latestFirst = [...versions].reverse();
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading">How it has changed</h2>
      <ol class="history" reversed>
        {latestFirst.map((version) => {
          const before = versions.find((v) => v.version === version.version - 1) ?? null;
          return (
            <li key={version.version} class="card">
              <h3>
                Version {version.version} <span class="quiet">· {formatDate(version.changed_at)}</span>
                {version.revised_at_session ? <span class="quiet"> · at session {version.revised_at_session}</span> : null}
              </h3>
              <ul>
                {changeSentences(version, before).map((sentence, i) => (
                  <li key={i}>{sentence}</li>
                ))}
              </ul>
              {version.change_note ? (
                <p>
                  <strong>Why:</strong> {version.change_note}
                </p>
              ) : null}
              <p class="quiet">{agreementWords(version)}.</p>
              {before ? <SideBySide before={before} after={version} /> : null}
            </li>
          );
        })}
      </ol>
    </section>
  );
}

function Marked({ segments, which }: { segments: Segment[]; which: "before" | "after" }) {
  const shown = side(segments, which);
  if (shown.length === 0) return <span class="quiet">–</span>;
  return (
    <>
      {shown.map((s, i) =>
        s.kind === "removed" ? (
          <del key={i}>{s.text}</del>
        ) : s.kind === "added" ? (
          <ins key={i}>{s.text}</ins>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}

function CompareRow({ row, label }: { row: TextComparison; label?: string }) {
  return (
    <tr class={row.changed ? "changed" : ""}>
      <th scope="row">
        {label ?? row.label}
        {row.changed ? <span class="visually-hidden"> (changed)</span> : null}
      </th>
      <td>
        <Marked segments={row.segments} which="before" />
      </td>
      <td>
        <Marked segments={row.segments} which="after" />
      </td>
    </tr>
  );
}

function SideBySide({ before, after }: { before: DefinitionVersion; after: DefinitionVersion }) {
  const comparison = compareVersions(before, after);
  const statusWords = { added: "added", removed: "set aside", changed: "changed", same: "unchanged" };
  const [all, setAll] = useState(false);
  const anyChange = comparison.fields.some((f) => f.changed) || comparison.goals.some((g) => g.status !== "same");
  const showAll = all || !anyChange;
  const fields = comparison.fields.filter((f) => showAll || f.changed);
  const goals = comparison.goals.filter((g) => showAll || g.status !== "same");
  return (
    <details class="side-by-side">
      <summary>
        Version {before.version} and version {after.version} side by side
      </summary>
      <p class="quiet">
        Words taken out are <del>struck through</del>; words put in are <ins>underlined</ins>.
      </p>
      {anyChange ? (
        <label class="check">
          <input type="checkbox" checked={all} onChange={(e) => setAll(e.currentTarget.checked)} />
          <span>Show the parts that stayed the same too</span>
        </label>
      ) : null}
      <Scroll label={`Version ${before.version} beside version ${after.version}`}>
        <table>
          <caption class="visually-hidden">
            Version {before.version} beside version {after.version}
          </caption>
          <thead>
            <tr>
              <th scope="col">Part</th>
              <th scope="col">Version {before.version}</th>
              <th scope="col">Version {after.version}</th>
            </tr>
          </thead>
          <tbody>
            {fields.map((row) => (
              <CompareRow key={row.field} row={row} />
            ))}
            {goals.map((goal) => (
              <Fragment key={goal.key}>
                <CompareRow row={goal.text} label={`Goal “${goal.key}” (${statusWords[goal.status]})`} />
                {goal.scale?.changed ? (
                  <tr class="changed">
                    <th scope="row">Goal “{goal.key}”: rated</th>
                    <td>
                      <del>{goal.scale.before}</del>
                    </td>
                    <td>
                      <ins>{goal.scale.after}</ins>
                    </td>
                  </tr>
                ) : null}
                {goal.levels
                  .filter((l) => l.changed)
                  .map((level) => (
                    <CompareRow key={level.field} row={level} label={`Goal “${goal.key}”, level ${level.label}`} />
                  ))}
              </Fragment>
            ))}
          </tbody>
        </table>
      </Scroll>
    </details>
  );
}
