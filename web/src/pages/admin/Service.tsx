// /admin: the service at a glance, anonymised (counts and rates only, no names or free
// text): episodes open and closed, the NHS Talking Therapies rates for PHQ-9 + GAD-7 and for
// each questionnaire used alone, and the organisation's crisis text.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { FitChart } from "../../charts/PlotFigure";
import { ErrorNote, Field, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import type { OutcomeSummary, Organisation } from "../../types";
import { monthChart, chartBars, countRows, measureExplanation, measureKeys, measureNames, measureRows, monthLabel, outcomeChart, rateText, shortName, type MeasureRow } from "./outcomes";
import type { InstrumentDefinition, ServiceOutcomesAnswer } from "./types";
import { TableScroll } from "./Scroll";
import "./admin.css";

export function ServiceOverview() {
  useTitle("Service overview");
  const outcomes = useLoad(() => api.get<ServiceOutcomesAnswer>("/api/v1/service-outcomes"), []);
  const organisation = useLoad(() => api.get<Organisation>("/api/v1/organisation"), []);
  const instruments = useLoad(() => api.get<{ items: InstrumentDefinition[] }>("/api/v1/instruments"), []);
  const names = new Map((instruments.data?.items ?? []).map((i) => [i.id, shortName(i.id, i.name)]));
  const data = outcomes.data;
  return (
    <Page title="Service overview">
      {organisation.data ? <p class="adm-lead">{organisation.data.name}</p> : null}
      <p>
        Figures across the whole service, without names: nobody can be picked out here. They count closed episodes;
        an episode is one client's stretch of work with a therapist.
      </p>
      <ErrorNote error={outcomes.error} />
      {outcomes.loading && !data ? <Loading what="Loading the service figures" /> : null}
      {data ? (
        <>
          <h2>Episodes</h2>
          <dl class="adm-stats">
            <div>
              <dt>Open now</dt>
              <dd>{data.episodes_open}</dd>
            </div>
            <div>
              <dt>Closed</dt>
              <dd>{data.episodes_closed}</dd>
            </div>
            {data.episodes_without_rules > 0 ? (
              <div>
                <dt>Closed, with a questionnaire that has no outcome rules</dt>
                <dd>{data.episodes_without_rules}</dd>
              </div>
            ) : null}
          </dl>

          <h2>Outcomes with PHQ-9 and GAD-7 together</h2>
          <p>
            These are the NHS Talking Therapies measures: each closed episode's first and last scores on both
            questionnaires are compared. Progress is rarely a straight line, and a rate is a starting point for
            questions about the service, not a judgement of any client or therapist.
          </p>
          {data.paired ? (
            <OutcomeBlock summary={data.paired} paired name="PHQ-9 and GAD-7 together" />
          ) : (
            <p class="note note-warm">No closed episode has PHQ-9 and GAD-7 scores both yet, so there is nothing to count here.</p>
          )}

          {data.single_measure.length > 0 ? (
            <>
              <h2>Outcomes with one questionnaire</h2>
              <p>
                Episodes followed with one questionnaire only are counted by the same rules, using that questionnaire's own
                cut-off and reliable-change amount.
              </p>
              {data.single_measure.map((s) => (
                <OutcomeBlock key={s.instrument} summary={s.summary} paired={false} name={names.get(s.instrument) ?? shortName(s.instrument)} />
              ))}
            </>
          ) : null}

          {data.by_month && data.by_month.length > 0 ? <ByMonth months={data.by_month} /> : null}

          <h2>What each figure means</h2>
          <dl class="adm-explain">
            {measureKeys.map((key) => (
              <div key={key}>
                <dt>{measureNames[key]}</dt>
                <dd>{measureExplanation(key, true)}</dd>
              </div>
            ))}
            <div>
              <dt>Finished treatment</dt>
              <dd>An episode that closed after at least two attended sessions; only these are counted in the rates.</dd>
            </div>
          </dl>
          <p>
            <a href="/admin/instruments">See the questionnaires in use</a>
          </p>
        </>
      ) : null}

      <CrisisText organisation={organisation.data} error={organisation.error} reload={organisation.reload} />
    </Page>
  );
}

// One summary: the chart, the same figures as a table, and the counts behind them. Single
// measures get a heading of their own; the paired one sits under its section's heading.
function OutcomeBlock({ summary, paired, name }: { summary: OutcomeSummary; paired: boolean; name: string }) {
  const rows = measureRows(summary);
  const chartLabel = `${name}: ${rows.map((r) => `${r.name} ${r.text}`).join("; ")}`;
  return (
    <section class="card adm-outcome">
      {paired ? null : <h3>{name}</h3>}
      {chartBars(summary).length === 0 ? (
        <p class="quiet">Nobody has finished treatment with a first and last score here yet, so there is no rate to show.</p>
      ) : (
        <>
          <FitChart build={(width) => outcomeChart(summary, Math.min(width, 700))} label={chartLabel} deps={[summary]} />
          <OutcomeTable rows={rows} paired={paired} name={name} />
        </>
      )}
      <dl class="adm-counts">
        {countRows(summary).map((c) => (
          <div key={c.label}>
            <dt>{c.label}</dt>
            <dd>{c.value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

// The chart's text alternative: the same rates as a table, each with what it means.
function OutcomeTable({ rows, paired, name }: { rows: MeasureRow[]; paired: boolean; name: string }) {
  return (
    <details>
      <summary>The chart as a table, with what each figure means</summary>
      <TableScroll label={`${name}: outcome rates`}>
        <table class="adm-table">
          <caption class="visually-hidden">{name}: outcome rates</caption>
          <thead>
            <tr>
              <th scope="col">Measure</th>
              <th scope="col">Counted</th>
              <th scope="col">Share</th>
              <th scope="col">What it means</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.key}>
                <th scope="row">{row.name}</th>
                <td>{row.denominator === 0 ? "none yet" : `${row.numerator} of ${row.denominator}`}</td>
                <td>{row.percent === null ? "–" : `${row.percent}%`}</td>
                <td>{measureExplanation(row.key, paired)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </details>
  );
}

function ByMonth({ months }: { months: NonNullable<ServiceOutcomesAnswer["by_month"]> }) {
  return (
    <>
      <h2>By the month episodes closed</h2>
      <p>Small numbers move a lot from month to month; look for a direction over several months.</p>
      <FitChart
        build={(width) => monthChart(months, Math.min(width, 760))}
        label="Reliable improvement, recovery and reliable deterioration by the month episodes closed, as percentages; the table below has the numbers"
        deps={[months]}
      />
      <p class="legend">
        <span>
          <span class="swatch adm-swatch-improvement" /> Reliable improvement
        </span>
        <span>
          <span class="swatch adm-swatch-recovery" /> Recovery
        </span>
        <span>
          <span class="swatch adm-swatch-deterioration" /> Reliable deterioration
        </span>
      </p>
      <TableScroll label="By month">
        <table class="adm-table">
          <thead>
            <tr>
              <th scope="col">Month</th>
              <th scope="col">Closed episodes</th>
              <th scope="col">Reliable improvement</th>
              <th scope="col">Recovery</th>
              <th scope="col">Reliable deterioration</th>
            </tr>
          </thead>
          <tbody>
            {months.map((m) => (
              <tr key={m.month}>
                <th scope="row">{monthLabel(m.month)}</th>
                <td>{m.summary.episodes}</td>
                <td>{rateText(m.summary.reliable_improvement)}</td>
                <td>{rateText(m.summary.recovery)}</td>
                <td>{rateText(m.summary.reliable_deterioration)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableScroll>
    </>
  );
}

function CrisisText({ organisation, error, reload }: { organisation: Organisation | undefined; error: ApiError | undefined; reload: () => void }) {
  const [text, setText] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [saveError, setSaveError] = useState<ApiError | null>(null);
  const [saved, setSaved] = useState(false);
  const value = text ?? organisation?.crisis_text ?? "";

  const submit = async (event: Event) => {
    event.preventDefault();
    if (!value.trim()) {
      setSaveError(new ApiError(400, "invalid-argument", "The crisis text cannot be empty: clients at risk need somewhere to turn.", "text"));
      return;
    }
    setBusy(true);
    setSaveError(null);
    setSaved(false);
    try {
      await api.put("/api/v1/organisation/crisis-text", { text: value });
      setSaved(true);
      setText(null);
      reload();
    } catch (caught) {
      setSaveError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section>
      <h2 id="crisis-heading">Crisis help text</h2>
      <p>
        When a client's answer suggests they may be at risk (for example on the PHQ-9's last question), Tandem shows them
        these words at once, on their check-in. Say plainly who to call and where to go now, in
        your service's own words.
      </p>
      <ErrorNote error={error} />
      {organisation ? (
        <form class="stack" onSubmit={submit}>
          <Field id="crisis-text" label="Crisis help text" hint="Clients see this exactly as written, the moment they need it.">
            <textarea
              id="crisis-text"
              class="adm-tall"
              aria-describedby="crisis-text-hint"
              value={value}
              onInput={(e) => {
                setText(e.currentTarget.value);
                setSaved(false);
              }}
            />
          </Field>
          <ErrorNote error={saveError} />
          {saved ? (
            <p class="note note-ok" role="status">
              Saved. Clients will see the new words from now on.
            </p>
          ) : null}
          <button type="submit" class="primary" disabled={busy}>
            {busy ? "Saving…" : "Save crisis text"}
          </button>
        </form>
      ) : null}
    </section>
  );
}
