// The client's check-in, about a minute on a phone: each goal on its own scale, the
// questionnaire due (one question per screen), a moment that mattered, how the session felt.
// Every answer is sent as it is given; an answer that cannot be sent yet waits in the
// device's outbox (draft.ts) and is retried on the next step, when the connection returns and
// every little while. A questionnaire answer that tells of a risk shows the service's crisis
// words at once.
import { useCallback, useEffect, useMemo, useRef, useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { ErrorNote, Loading } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { useMe } from "../../session";
import type { CheckIn as CheckInData, Episode, Goal, QuestionnaireOption, QuestionnaireResult } from "../../types";
import { answeredCount, CheckInStore, MemoryStore, Outbox, responsesOf, type FlushResult, type KeyValueStore, type NewAction, type QuestionnaireDraft } from "./draft";
import { ClientPage, CrisisAlert, HelpNow, myEpisodes, Slider } from "./parts";
import { anyDone, buildSteps, isDone, resumeAt, stepLabel, stepTitle, type Progress, type Step } from "./steps";
import type { OpenedSession } from "./types";
import { gasLevelNames, gasLevelNumber, momentChoices, momentLabel } from "./words";
import "./client.css";

const RETRY_EVERY_MS = 20_000;
const COMMIT_AFTER_MS = 700;

function deviceStorage(): KeyValueStore {
  try {
    const probe = "tandem.checkin.probe";
    localStorage.setItem(probe, "1");
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    return new MemoryStore();
  }
}

export function CheckInPage() {
  useTitle("Check-in");
  const me = useMe();
  const episodes = useLoad(() => myEpisodes(me), [me.id]);
  if (episodes.error) {
    return (
      <ClientPage title="Today's check-in">
        <ErrorNote error={episodes.error} />
        <button type="button" onClick={episodes.reload}>
          Try again
        </button>
      </ClientPage>
    );
  }
  if (!episodes.data) {
    return (
      <ClientPage title="Today's check-in">
        <Loading />
      </ClientPage>
    );
  }
  const open = episodes.data.filter((e) => e.status === "open").sort((a, b) => b.opened.localeCompare(a.opened))[0];
  if (!open) {
    return (
      <ClientPage title="Today's check-in">
        <p class="note note-warm">There is no check-in open right now. Your therapist will set one up.</p>
        {episodes.data.length ? (
          <p>
            You can still look back at <a href="/journey">your journey</a>.
          </p>
        ) : null}
      </ClientPage>
    );
  }
  return <CheckInForEpisode episode={open} user={me.id} />;
}

function CheckInForEpisode({ episode, user }: { episode: Episode; user: number }) {
  const loaded = useLoad(() => api.get<CheckInData>(`/api/v1/episodes/${episode.id}/check-in`), [episode.id]);
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<ApiError | null>(null);
  const [autoStart, setAutoStart] = useState(false);

  const start = async () => {
    setStarting(true);
    setStartError(null);
    try {
      await api.post<OpenedSession>(`/api/v1/episodes/${episode.id}/check-in`);
      setAutoStart(true);
      loaded.reload();
    } catch (caught) {
      setStartError(caught as ApiError);
    } finally {
      setStarting(false);
    }
  };

  if (loaded.error && !loaded.data) {
    return (
      <ClientPage title="Today's check-in">
        <ErrorNote error={loaded.error} />
        <button type="button" onClick={loaded.reload}>
          Try again
        </button>
      </ClientPage>
    );
  }
  if (!loaded.data) {
    return (
      <ClientPage title="Today's check-in">
        <Loading />
      </ClientPage>
    );
  }
  const data = loaded.data;
  if (!data.session) {
    return (
      <ClientPage title="Today's check-in">
        <Overview data={data} />
        {startError ? <StartProblem error={startError} /> : null}
        <button type="button" class="primary wide" disabled={starting} onClick={start}>
          Start today's check-in
        </button>
        <HelpNow text={data.crisis_text} />
      </ClientPage>
    );
  }
  return <Steps key={data.session.id} data={data} session={data.session} episode={episode.id} user={user} autoStart={autoStart} />;
}

function StartProblem({ error }: { error: ApiError }) {
  if (error.status === 409) {
    return (
      <div class="note note-warm" role="alert">
        <p>Today's check-in cannot be opened: your therapist has already set up a later session. Please mention it to them.</p>
        <p class="quiet">{error.detail}</p>
      </div>
    );
  }
  return <ErrorNote error={error} />;
}

function Overview({ data }: { data: CheckInData }) {
  const parts = [data.goals.length === 1 ? "how your goal is going" : data.goals.length ? `how your ${data.goals.length} goals are going` : ""];
  if (data.questionnaire) parts.push(`${data.questionnaire.items.length} short questions`);
  parts.push("how today's session felt");
  return (
    <>
      <p class="lead">About a minute: {parts.filter(Boolean).join(", ")}. Each answer is saved as you give it.</p>
      <p class="quiet">You can skip anything you would rather not answer today.</p>
    </>
  );
}

type SaveState = "idle" | "saving" | "saved" | "waiting";

function Steps({ data, session, episode, user, autoStart }: { data: CheckInData; session: { id: number; number: number; date: string }; episode: number; user: number; autoStart: boolean }) {
  const steps = useMemo(() => buildSteps(data), [data]);
  const store = useMemo(() => new CheckInStore(deviceStorage(), user, episode), [user, episode]);
  const outbox = useMemo(
    () => new Outbox(store, (a) => api.post(a.path, a.body), (e) => (e instanceof ApiError ? e.status : -1)),
    [store],
  );
  const questionnaire = data.questionnaire;

  const [progress, setProgress] = useState<Progress>(() => {
    const pending = store.queue().filter((a) => a.session === session.id);
    const goals = { ...data.answered.goals };
    let alliance = data.answered.alliance;
    let feltHard = data.answered.felt_hard;
    for (const a of pending) {
      const body = a.body as { goal_key?: string; value?: number | boolean };
      if (a.kind === "goal" && body.goal_key) goals[body.goal_key] = body.value as number;
      if (a.kind === "alliance") alliance = body.value as number;
      if (a.kind === "felt-hard") feltHard = body.value as boolean;
    }
    const waiting = pending.some((a) => a.kind === "questionnaire");
    return {
      goals,
      questionnaire: data.answered.questionnaire ? "sent" : waiting ? "waiting" : "due",
      moments: data.answered.moments + pending.filter((a) => a.kind === "moment").length,
      alliance,
      feltHard,
    };
  });
  // What the screens show, which may be ahead of what is saved (a slider being moved).
  const [goalValues, setGoalValues] = useState<Record<string, number | null>>(() => ({ ...progress.goals }));
  const [alliance, setAlliance] = useState<number | null>(progress.alliance);
  const [draft, setDraft] = useState<QuestionnaireDraft>(
    () => (questionnaire && store.questionnaireDraft(session.id, questionnaire.instrument)) || { instrument: questionnaire?.instrument ?? "", position: -1, answers: {} },
  );
  const [index, setIndex] = useState<number>(() => (autoStart ? 0 : -1));
  const [saveState, setSaveState] = useState<SaveState>(() => (store.queue().length ? "waiting" : "idle"));
  const [problems, setProblems] = useState<ApiError[]>([]);
  const [crisis, setCrisis] = useState<string | null>(() => store.crisisText(session.id));
  const [notedHere, setNotedHere] = useState<string[]>([]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const crisisRef = useRef<HTMLDivElement>(null);
  const commitTimer = useRef<number | undefined>(undefined);

  useEffect(() => store.prune(session.id), [store, session.id]);

  const settle = useCallback(
    (result: FlushResult) => {
      for (const { action, result: answer } of result.sent) {
        if (action.kind !== "questionnaire" || action.session !== session.id) continue;
        setProgress((p) => ({ ...p, questionnaire: "sent" }));
        store.clearQuestionnaireDraft(action.session);
        const scored = answer as QuestionnaireResult | undefined;
        if (scored?.crisis) {
          const text = scored.crisis_text || data.crisis_text;
          store.rememberCrisis(session.id, text);
          setCrisis(text);
        }
      }
      if (result.failed.length) {
        setProblems((old) => [...old, ...result.failed.map((f) => (f.error instanceof ApiError ? f.error : new ApiError(-1, "client", String(f.error))))]);
        for (const { action } of result.failed) {
          if (action.kind === "questionnaire") setProgress((p) => ({ ...p, questionnaire: p.questionnaire === "waiting" ? "due" : p.questionnaire }));
        }
      }
      setSaveState(result.pending ? "waiting" : result.failed.length && !result.sent.length ? "idle" : "saved");
    },
    [data.crisis_text, session.id, store],
  );

  const save = useCallback(
    (action: Omit<NewAction, "session">) => {
      setSaveState("saving");
      return outbox.save({ ...action, session: session.id }).then((result) => {
        settle(result);
        return result;
      });
    },
    [outbox, session.id, settle],
  );

  const retry = useCallback(() => {
    if (!outbox.pending()) return;
    setSaveState("saving");
    void outbox.flush().then(settle);
  }, [outbox, settle]);

  // Answers left waiting from an earlier visit go first; then keep trying while any wait.
  useEffect(() => {
    retry();
    window.addEventListener("online", retry);
    const timer = window.setInterval(retry, RETRY_EVERY_MS);
    return () => {
      window.removeEventListener("online", retry);
      window.clearInterval(timer);
    };
  }, [retry]);

  useEffect(() => {
    if (crisis) {
      crisisRef.current?.focus();
      crisisRef.current?.scrollIntoView?.({ block: "start" });
    }
  }, [crisis]);

  useEffect(() => {
    if (index >= 0) headingRef.current?.focus();
  }, [index, draft.position]);

  const step: Step | undefined = index >= 0 ? steps[index] : undefined;

  const rateGoal = (goal: Goal, value: number) => {
    setProgress((p) => ({ ...p, goals: { ...p.goals, [goal.key]: value } }));
    void save({ key: `goal:${goal.key}`, kind: "goal", path: `/api/v1/episodes/${episode}/goal-ratings`, body: { session: session.id, goal_key: goal.key, value } });
  };

  const rateAlliance = (value: number) => {
    setProgress((p) => ({ ...p, alliance: value }));
    void save({ key: "alliance", kind: "alliance", path: `/api/v1/episodes/${episode}/alliance`, body: { session: session.id, value } });
  };

  // Sends what the current screen shows if it is not saved yet (a slider moved a moment ago,
  // or a tap that landed on the middle). Reads the latest render's values: a slider's change
  // event may arrive before the render that its input event caused.
  const live = useRef({ step, goalValues, alliance, progress });
  live.current = { step, goalValues, alliance, progress };
  const commitCurrent = () => {
    window.clearTimeout(commitTimer.current);
    commitTimer.current = undefined;
    const now = live.current;
    if (now.step?.kind === "goal" && now.step.goal.scale === "gbo") {
      const shown = now.goalValues[now.step.goal.key];
      if (shown !== null && shown !== undefined && shown !== now.progress.goals[now.step.goal.key]) rateGoal(now.step.goal, shown);
    }
    if (now.step?.kind === "feel" && now.alliance !== null && now.alliance !== now.progress.alliance) rateAlliance(now.alliance);
  };

  const commitRef = useRef(commitCurrent);
  commitRef.current = commitCurrent;
  useEffect(
    () => () => {
      if (commitTimer.current !== undefined) commitRef.current();
    },
    [],
  );

  const commitSoon = () => {
    window.clearTimeout(commitTimer.current);
    commitTimer.current = window.setTimeout(commitCurrent, COMMIT_AFTER_MS);
  };

  const saveDraft = (next: QuestionnaireDraft) => {
    setDraft(next);
    store.saveQuestionnaireDraft(session.id, next);
  };

  // Sends the questionnaire; goes on by itself only when it is saved and gave no reason to
  // stop (a crisis answer keeps the person here with the crisis words; a wait or a refusal
  // keeps them here to see it).
  const sendQuestionnaire = async () => {
    if (!questionnaire) return;
    const responses = responsesOf(draft, questionnaire.items.length);
    setProgress((p) => ({ ...p, questionnaire: "waiting" }));
    const result = await save({ key: "questionnaire", kind: "questionnaire", path: `/api/v1/episodes/${episode}/questionnaires`, body: { instrument: questionnaire.instrument, session: session.id, responses } });
    const sent = result.sent.find((s) => s.action.kind === "questionnaire");
    if (sent && !(sent.result as QuestionnaireResult | undefined)?.crisis) setIndex((i) => i + 1);
  };

  const go = (to: number) => {
    commitCurrent();
    retry();
    const target = steps[to];
    if (target?.kind === "questionnaire" && progress.questionnaire === "due" && questionnaire && to < index) {
      saveDraft({ ...draft, position: questionnaire.items.length - 1 });
    }
    setIndex(to);
  };

  const next = async () => {
    if (step?.kind === "questionnaire" && progress.questionnaire === "due" && questionnaire) {
      if (draft.position < questionnaire.items.length - 1) {
        saveDraft({ ...draft, position: draft.position + 1 });
        return;
      }
      await sendQuestionnaire();
      return;
    }
    go(index + 1);
  };

  const back = () => {
    if (step?.kind === "questionnaire" && progress.questionnaire === "due" && draft.position > -1) {
      saveDraft({ ...draft, position: draft.position - 1 });
      return;
    }
    go(index - 1);
  };

  const crisisBox = crisis ? <CrisisAlert text={crisis} boxRef={crisisRef} /> : null;

  if (!step) {
    const started = anyDone(steps, progress);
    return (
      <ClientPage title="Today's check-in">
        {crisisBox}
        <Overview data={data} />
        <ol class="parts">
          {steps
            .filter((s) => s.kind !== "thanks")
            .map((s) => {
              const at = steps.indexOf(s);
              const done = isDone(s, progress);
              return (
                <li key={at}>
                  <button type="button" class="part" onClick={() => setIndex(at)}>
                    <span>{s.kind === "goal" ? s.goal.text : stepTitle(s, questionnaire?.name ?? "Today's questions")}</span>
                    <span class={done ? "part-state done" : "part-state"}>{done ? "✓ Done" : s.kind === "moment" ? "Optional" : "Not yet"}</span>
                  </button>
                </li>
              );
            })}
        </ol>
        <button type="button" class="primary wide" onClick={() => setIndex(resumeAt(steps, progress))}>
          {started ? "Continue today's check-in" : "Start today's check-in"}
        </button>
        <SaveLine state={saveState} />
        <HelpNow text={data.crisis_text} />
      </ClientPage>
    );
  }

  const onQuestion = step.kind === "questionnaire" && progress.questionnaire === "due" && questionnaire !== null;
  const lastQuestion = onQuestion && draft.position === questionnaire!.items.length - 1;
  const count = steps.length;

  return (
    <ClientPage title="Today's check-in">
      {crisisBox}
      <div class="stepper">
        <p class="step-count">{stepLabel(index, count)}</p>
        <div class="step-bar" aria-hidden="true">
          <span class="step-bar-fill" style={{ width: `${((index + 1) / count) * 100}%` }} />
        </div>
      </div>
      <section class="step card">
        {step.kind === "goal" ? (
          <GoalStep
            goal={step.goal}
            headingRef={headingRef}
            value={goalValues[step.goal.key] ?? null}
            saved={progress.goals[step.goal.key]}
            earlier={data.answered.goals[step.goal.key] !== undefined}
            onInput={(v) => setGoalValues((old) => ({ ...old, [step.goal.key]: v }))}
            onCommit={commitSoon}
            onChoose={(v) => {
              setGoalValues((old) => ({ ...old, [step.goal.key]: v }));
              rateGoal(step.goal, v);
            }}
          />
        ) : null}
        {step.kind === "questionnaire" ? (
          <QuestionnaireStep
            headingRef={headingRef}
            name={questionnaire?.name ?? "Today's questions"}
            state={progress.questionnaire}
            questionnaire={questionnaire}
            draft={draft}
            crisisText={data.crisis_text}
            onAnswer={(item, value) => saveDraft({ ...draft, answers: { ...draft.answers, [item]: value } })}
          />
        ) : null}
        {step.kind === "moment" ? (
          <MomentStep
            headingRef={headingRef}
            noted={progress.moments}
            notedHere={notedHere}
            onSave={(tag, text) => {
              setProgress((p) => ({ ...p, moments: p.moments + 1 }));
              setNotedHere((old) => [...old, text ? `${momentLabel(tag)}: ${text}` : momentLabel(tag)]);
              void save({ key: `moment:${Date.now()}`, kind: "moment", path: `/api/v1/episodes/${episode}/moments`, body: { session: session.id, tag, text } });
            }}
          />
        ) : null}
        {step.kind === "feel" ? (
          <FeelStep
            headingRef={headingRef}
            alliance={alliance}
            feltHard={progress.feltHard}
            onInput={setAlliance}
            onCommit={commitSoon}
            onFeltHard={(value) => {
              setProgress((p) => ({ ...p, feltHard: value }));
              void save({ key: "felt-hard", kind: "felt-hard", path: `/api/v1/sessions/${session.id}/felt-hard`, body: { by: "client", value } });
            }}
          />
        ) : null}
        {step.kind === "thanks" ? <ThanksStep headingRef={headingRef} steps={steps} progress={progress} questionnaireName={questionnaire?.name} saveState={saveState} /> : null}
      </section>
      {problems.map((problem, i) => (
        <ErrorNote key={i} error={problem} />
      ))}
      <div class="step-nav">
        <button type="button" onClick={back}>
          Back
        </button>
        {step.kind === "thanks" ? null : step.kind === "feel" ? (
          <button type="button" class="primary" onClick={next}>
            Finish
          </button>
        ) : lastQuestion ? (
          <button type="button" class="primary" onClick={next}>
            Send answers
          </button>
        ) : (
          <button type="button" class="primary" onClick={next}>
            Next
          </button>
        )}
      </div>
      <SaveLine state={saveState} />
      {step.kind === "questionnaire" && progress.questionnaire === "waiting" ? null : <HelpNow text={data.crisis_text} />}
    </ClientPage>
  );
}

function SaveLine({ state }: { state: SaveState }) {
  const words: Record<SaveState, string> = {
    idle: "",
    saving: "Saving…",
    saved: "Saved",
    waiting: "Not sent yet — we'll keep trying",
  };
  return (
    <p class={state === "waiting" ? "saved save-waiting" : "saved"} role="status" aria-live="polite">
      {words[state]}
    </p>
  );
}

type HeadingRef = { current: HTMLHeadingElement | null };

function StepHeading({ headingRef, children }: { headingRef: HeadingRef; children: string }) {
  return (
    <h2 id="step-heading" tabIndex={-1} ref={headingRef}>
      {children}
    </h2>
  );
}

function EarlierNote({ show }: { show: boolean }) {
  return show ? <p class="done-note">✓ Answered earlier today. You can change it.</p> : null;
}

function GoalStep({
  goal,
  headingRef,
  value,
  saved,
  earlier,
  onInput,
  onCommit,
  onChoose,
}: {
  goal: Goal;
  headingRef: HeadingRef;
  value: number | null;
  saved: number | undefined;
  earlier: boolean;
  onInput: (value: number) => void;
  onCommit: () => void;
  onChoose: (value: number) => void;
}) {
  if (goal.scale === "gbo") {
    return (
      <>
        <StepHeading headingRef={headingRef}>Your goal</StepHeading>
        <EarlierNote show={earlier && saved !== undefined} />
        <Slider id={`goal-${goal.key}`} label={goal.text} value={value} low="not close at all" high="I'm there" onInput={onInput} onCommit={onCommit}>
          <p class="hint">How close do you feel to this goal today?</p>
        </Slider>
      </>
    );
  }
  const levels = goal.gas_levels ?? [];
  return (
    <>
      <StepHeading headingRef={headingRef}>Your goal</StepHeading>
      <EarlierNote show={earlier && saved !== undefined} />
      <fieldset class="choices">
        <legend class="goal-legend">
          {goal.text}
          <span class="hint">Which is closest to how things are now?</span>
        </legend>
        <ul class="choice-list">
          {[4, 3, 2, 1, 0].map((i) => (
            <li key={i}>
              <label>
                <input type="radio" name={`goal-${goal.key}`} value={i - 2} checked={value === i - 2} onChange={() => onChoose(i - 2)} />
                <span>
                  {levels[i] ?? gasLevelNames[i]}
                  <span class="level-name">
                    {gasLevelNumber(i)} · {gasLevelNames[i]}
                  </span>
                </span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
    </>
  );
}

function QuestionnaireStep({
  headingRef,
  name,
  state,
  questionnaire,
  draft,
  crisisText,
  onAnswer,
}: {
  headingRef: HeadingRef;
  name: string;
  state: Progress["questionnaire"];
  questionnaire: CheckInData["questionnaire"];
  draft: QuestionnaireDraft;
  crisisText: string;
  onAnswer: (item: number, value: number | null) => void;
}) {
  if (state === "sent") {
    return (
      <>
        <StepHeading headingRef={headingRef}>{name}</StepHeading>
        <p class="done-note">✓ Answered today. Thank you.</p>
      </>
    );
  }
  if (state === "waiting") {
    return (
      <>
        <StepHeading headingRef={headingRef}>{name}</StepHeading>
        <p class="note note-warm">Your answers are kept on this device and will be sent as soon as the connection is back.</p>
        <HelpNow text={crisisText} open />
      </>
    );
  }
  if (!questionnaire) return null;
  if (draft.position < 0) {
    return (
      <>
        <StepHeading headingRef={headingRef}>{name}</StepHeading>
        <p class="lead">{questionnaire.preamble}</p>
        <p class="quiet">
          {questionnaire.items.length} questions, one at a time. You can leave out any question you would rather not answer. Your answers are kept on this device until they are sent.
        </p>
      </>
    );
  }
  const at = draft.position;
  const item = questionnaire.items[at];
  const options: QuestionnaireOption[] = item.options?.length ? item.options : questionnaire.options;
  const chosen = draft.answers[at];
  const isLast = at === questionnaire.items.length - 1;
  const leftOut = questionnaire.items.length - answeredCount(draft, questionnaire.items.length);
  return (
    <>
      <p class="step-kicker">{name}</p>
      <StepHeading headingRef={headingRef}>{`Question ${at + 1} of ${questionnaire.items.length}`}</StepHeading>
      <fieldset class="choices">
        <legend class="question">
          <span class="hint">{questionnaire.preamble}</span>
          {item.text}
        </legend>
        <ul class="choice-list choice-list-large">
          {options.map((option) => (
            <li key={option.value}>
              <label>
                <input type="radio" name={`item-${item.id}`} value={option.value} checked={chosen === option.value} onChange={() => onAnswer(at, option.value)} />
                <span>{option.label}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      {typeof chosen === "number" ? (
        <button type="button" class="link" onClick={() => onAnswer(at, null)}>
          Leave this question out
        </button>
      ) : (
        <p class="quiet small">No answer yet. Going on leaves this question out.</p>
      )}
      {isLast && leftOut > 0 ? (
        <p class="note note-warm">
          {leftOut === 1 ? "1 question has no answer." : `${leftOut} questions have no answer.`} That is all right; use Back if you want to answer {leftOut === 1 ? "it" : "them"}.
        </p>
      ) : null}
    </>
  );
}

function MomentStep({ headingRef, noted, notedHere, onSave }: { headingRef: HeadingRef; noted: number; notedHere: string[]; onSave: (tag: string, text: string) => void }) {
  const [tag, setTag] = useState<string | null>(null);
  const [text, setText] = useState("");
  const ready = tag !== null || text.trim() !== "";
  const keep = () => {
    if (!ready) return;
    onSave(tag ?? "something-else", text.trim());
    setTag(null);
    setText("");
  };
  // Going on with something chosen or written keeps it, so nothing is lost.
  const keepRef = useRef(keep);
  keepRef.current = keep;
  useEffect(() => () => keepRef.current(), []);
  return (
    <>
      <StepHeading headingRef={headingRef}>A moment that mattered</StepHeading>
      <p class="hint">Optional. Since last time, was there a moment, big or small, that felt like a step? Skip this if nothing comes to mind.</p>
      {noted > 0 ? (
        <div class="done-note">
          <p>
            ✓ {noted === 1 ? "You noted a moment today." : `You noted ${noted} moments today.`} You can add another.
          </p>
          {notedHere.length ? (
            <ul>
              {notedHere.map((line, i) => (
                <li key={i}>{line}</li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}
      <fieldset class="choices">
        <legend>What kind of moment?</legend>
        <ul class="choice-list">
          {momentChoices.map((choice) => (
            <li key={choice.tag}>
              <label>
                <input type="radio" name="moment-tag" value={choice.tag} checked={tag === choice.tag} onChange={() => setTag(choice.tag)} />
                <span>{choice.label}</span>
              </label>
            </li>
          ))}
        </ul>
      </fieldset>
      <div class="field">
        <label for="moment-text">In your own words</label>
        <p class="hint" id="moment-text-hint">
          Optional. Your therapist can read this.
        </p>
        <textarea id="moment-text" aria-describedby="moment-text-hint" value={text} onInput={(e) => setText(e.currentTarget.value)} />
      </div>
      <button type="button" onClick={keep} disabled={!ready}>
        Save this moment
      </button>
    </>
  );
}

function FeelStep({
  headingRef,
  alliance,
  feltHard,
  onInput,
  onCommit,
  onFeltHard,
}: {
  headingRef: HeadingRef;
  alliance: number | null;
  feltHard: boolean;
  onInput: (value: number) => void;
  onCommit: () => void;
  onFeltHard: (value: boolean) => void;
}) {
  return (
    <>
      <StepHeading headingRef={headingRef}>Today's session</StepHeading>
      <Slider id="alliance" label="How did today's session feel?" value={alliance} low="it did not feel right" high="it felt right" onInput={onInput} onCommit={onCommit}>
        <p class="hint">Working together with your therapist today. Honest answers help; there is no wrong one.</p>
      </Slider>
      <div class="check-field">
        <input id="felt-hard" type="checkbox" checked={feltHard} onChange={(e) => onFeltHard(e.currentTarget.checked)} />
        <label for="felt-hard">This session felt hard</label>
      </div>
      <p class="hint">Hard sessions are part of the work. Saying so helps your therapist know.</p>
    </>
  );
}

function ThanksStep({ headingRef, steps, progress, questionnaireName, saveState }: { headingRef: HeadingRef; steps: Step[]; progress: Progress; questionnaireName?: string; saveState: SaveState }) {
  const lines: { what: string; answer: string }[] = [];
  for (const step of steps) {
    if (step.kind === "goal") {
      const value = progress.goals[step.goal.key];
      const answer = value === undefined ? "Not rated today" : step.goal.scale === "gbo" ? `${value} of 10` : `${step.goal.gas_levels?.[value + 2] ?? gasLevelNames[value + 2]} (${gasLevelNumber(value + 2)})`;
      lines.push({ what: step.goal.text, answer });
    }
    if (step.kind === "questionnaire") {
      lines.push({
        what: questionnaireName ?? "Today's questions",
        answer: progress.questionnaire === "sent" ? "Answered" : progress.questionnaire === "waiting" ? "Answered, waiting to be sent" : "Not answered today",
      });
    }
  }
  lines.push({ what: "Moments that mattered", answer: progress.moments ? `${progress.moments} noted today` : "None today" });
  lines.push({ what: "How the session felt", answer: progress.alliance === null ? "Not rated today" : `${progress.alliance} of 10` });
  if (progress.feltHard) lines.push({ what: "This session felt hard", answer: "Yes" });
  return (
    <>
      <StepHeading headingRef={headingRef}>Thank you</StepHeading>
      <p class="lead">{saveState === "waiting" ? "Your answers are kept on this device and will be sent as soon as the connection is back." : "That's today's check-in done. Your therapist will see your answers."}</p>
      <dl class="summary">
        {lines.map((line) => (
          <div key={line.what}>
            <dt>{line.what}</dt>
            <dd>{line.answer}</dd>
          </div>
        ))}
      </dl>
      <p>
        <a class="button primary" href="/journey">
          See my journey
        </a>
      </p>
    </>
  );
}
