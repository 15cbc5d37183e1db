// /admin/instruments: the questionnaires the service uses, read-only: name, version, the
// words before the questions, the answer choices, the items and the range of totals.
import { api } from "../../api";
import { ErrorNote, Loading, Page } from "../../components/common";
import { useLoad, useTitle } from "../../hooks";
import { shortName } from "./outcomes";
import type { InstrumentDefinition, InstrumentOption } from "./types";
import "./admin.css";

export function Instruments() {
  useTitle("Questionnaires");
  const { data, error, loading } = useLoad(() => api.get<{ items: InstrumentDefinition[] }>("/api/v1/instruments"), []);
  return (
    <Page title="Questionnaires">
      <p>
        The questionnaires clients answer in this service, exactly as they see them. They come from definition files the
        service loads; to add or change one, the person who runs the server loads a new file.
      </p>
      <ErrorNote error={error} />
      {loading && !data ? <Loading what="Loading the questionnaires" /> : null}
      {data && data.items.length === 0 ? <p>No questionnaires are loaded.</p> : null}
      {data?.items.map((i) => <InstrumentCard key={i.id} instrument={i} />)}
    </Page>
  );
}

function OptionList({ options }: { options: InstrumentOption[] }) {
  return (
    <ul class="adm-options">
      {options.map((o) => (
        <li key={o.value}>
          <span class="adm-option-value">{o.value}</span> {o.label}
        </li>
      ))}
    </ul>
  );
}

function InstrumentCard({ instrument }: { instrument: InstrumentDefinition }) {
  const headingId = `instrument-${instrument.id}`;
  return (
    <section class="card adm-instrument">
      <h2 id={headingId}>{instrument.name}</h2>
      <dl class="facts">
        <dt>Short name</dt>
        <dd>{shortName(instrument.id, instrument.name)}</dd>
        <dt>Identifier</dt>
        <dd>
          <code>{instrument.id}</code>
          {instrument.version ? `, version ${instrument.version}` : ""}
        </dd>
        <dt>Questions</dt>
        <dd>{instrument.items.length}</dd>
        <dt>Totals</dt>
        <dd>
          from {instrument.min_total} to {instrument.max_total}
        </dd>
      </dl>
      {instrument.preamble ? (
        <>
          <h3>What clients read first</h3>
          <p class="adm-preamble">{instrument.preamble}</p>
        </>
      ) : null}
      <h3>Answer choices</h3>
      <OptionList options={instrument.options} />
      <h3>Questions</h3>
      <ol class="adm-items">
        {instrument.items.map((item) => (
          <li key={item.id}>
            {item.text}
            {item.options && item.options.length > 0 ? (
              <div class="adm-item-options">
                <p class="quiet">Its own answer choices:</p>
                <OptionList options={item.options} />
              </div>
            ) : null}
          </li>
        ))}
      </ol>
    </section>
  );
}
