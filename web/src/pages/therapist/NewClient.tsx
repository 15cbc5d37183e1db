// A new client in two steps: their record (name, birth date, consent), then their first
// episode (the questionnaire to track); then on to the progress conversation.
import { useState } from "preact/hooks";
import { api, ApiError } from "../../api";
import { ErrorNote, Field, Page } from "../../components/common";
import { useTitle } from "../../hooks";
import { navigate } from "../../router";
import { OpenEpisodeForm } from "./ClientActions";
import type { Created } from "./types";
import "./therapist.css";

export function NewClient() {
  useTitle("New client");
  const [name, setName] = useState("");
  const [birthDate, setBirthDate] = useState("");
  const [care, setCare] = useState(true);
  const [research, setResearch] = useState(false);
  const [created, setCreated] = useState<{ id: number; display_name: string } | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: Record<string, unknown> = { display_name: name.trim(), consent_care: care, consent_research: research };
      if (birthDate) body.birth_date = birthDate;
      const result = await api.post<Created>("/api/v1/clients", body);
      setCreated({ id: result.id, display_name: name.trim() });
    } catch (caught) {
      setError(caught as ApiError);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Page title="New client">
      <ol class="steps" aria-label="Steps">
        <li aria-current={!created ? "step" : undefined}>Their record</li>
        <li aria-current={created ? "step" : undefined}>Their first episode</li>
        <li>What progress means, together</li>
      </ol>
      {!created ? (
        <section class="card" aria-labelledby="record-heading">
          <h2 id="record-heading">Their record</h2>
          <form class="stack" onSubmit={submit}>
            <Field id="client-name" label="Name" hint="The name they go by. Shown to you, your supervisor and, once they join, to them.">
              <input id="client-name" type="text" required autoComplete="off" aria-describedby="client-name-hint" value={name} onInput={(e) => setName(e.currentTarget.value)} />
            </Field>
            <Field id="client-birth" label="Date of birth (optional)">
              <input id="client-birth" type="date" value={birthDate} onInput={(e) => setBirthDate(e.currentTarget.value)} />
            </Field>
            <fieldset>
              <legend>Consent</legend>
              <label class="check">
                <input type="checkbox" checked={care} onChange={(e) => setCare(e.currentTarget.checked)} />
                <span>They agree to their care being recorded in Tandem</span>
              </label>
              <label class="check">
                <input type="checkbox" checked={research} onChange={(e) => setResearch(e.currentTarget.checked)} />
                <span>They agree to their anonymised data being used for research</span>
              </label>
            </fieldset>
            <ErrorNote error={error} />
            <button type="submit" class="primary" disabled={busy}>
              {busy ? "Creating…" : "Create client"}
            </button>
          </form>
        </section>
      ) : (
        <section class="card" aria-labelledby="episode-heading">
          <p class="note note-ok" role="status">
            {created.display_name} is on your caseload.
          </p>
          <h2 id="episode-heading">Their first episode</h2>
          <p>An episode holds this stretch of work: its sessions, its questionnaire scores and what progress means.</p>
          <OpenEpisodeForm client={created} onOpened={() => navigate(`/clients/${created.id}/progress`)} />
          <p class="quiet">
            Or <a href={`/clients/${created.id}`}>go to {created.display_name}'s page</a> and open it later.
          </p>
        </section>
      )}
    </Page>
  );
}
