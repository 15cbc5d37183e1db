// Pieces both client pages use: the client's episodes, the "If you need help now" box, a
// 0-10 slider that can stay unanswered, and the width a chart may take.
import type { ComponentChildren } from "preact";
import type * as Plot from "@observablehq/plot";
import { api } from "../../api";
import { Page } from "../../components/common";
import { FitChart } from "../../charts/PlotFigure";
import type { Episode, Me } from "../../types";

// The signed-in client's episodes (their own record only; the server checks).
export async function myEpisodes(me: Me): Promise<Episode[]> {
  if (me.client_id === undefined || me.client_id === null) return [];
  const page = await api.get<{ items: Episode[] }>(`/api/v1/clients/${me.client_id}/episodes`);
  return page.items;
}

// A page of the client's: the shared frame, with this area's styles scoped inside it.
export function ClientPage({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <Page title={title}>
      <div class="client-page">{children}</div>
    </Page>
  );
}

// The service's own words for a crisis, folded away until wanted (open when `open`).
export function HelpNow({ text, open }: { text: string; open?: boolean }) {
  if (!text) return null;
  return (
    <details class="help-now" open={open}>
      <summary>If you need help now</summary>
      <p>{text}</p>
    </details>
  );
}

// Shown at once when an answer tells of a risk to the person's safety.
export function CrisisAlert({ text, boxRef }: { text: string; boxRef?: { current: HTMLDivElement | null } }) {
  return (
    <div class="note note-crisis crisis-now" role="alert" tabIndex={-1} ref={boxRef}>
      <p class="crisis-lead">Thank you for telling us. Your therapist will see this and talk with you about it.</p>
      <p>{text}</p>
    </div>
  );
}

// A 0..10 rating. `value` null means not answered yet: the thumb is hidden and nothing is
// sent until the person moves it (a tap on the track or an arrow key answers it).
export function Slider({
  id,
  label,
  value,
  low,
  high,
  onInput,
  onCommit,
  children,
}: {
  id: string;
  label: string;
  value: number | null;
  low: string;
  high: string;
  onInput: (value: number) => void;
  onCommit: () => void;
  children?: ComponentChildren;
}) {
  const spoken = value === null ? "Not answered yet" : `${value} of 10`;
  return (
    <div class="slider-field">
      <label for={id} class="slider-label">
        {label}
      </label>
      {children}
      <p class="slider-value" aria-hidden="true">
        {value === null ? <span class="quiet">Not answered yet: choose a point on the line</span> : <>
            <strong>{value}</strong> <span class="quiet">of 10</span>
          </>}
      </p>
      <input
        id={id}
        type="range"
        class={value === null ? "slider slider-unset" : "slider"}
        min={0}
        max={10}
        step={1}
        value={value ?? 5}
        aria-valuetext={spoken}
        aria-describedby={`${id}-ends`}
        onPointerDown={(e) => {
          if (value === null) onInput(Number(e.currentTarget.value));
        }}
        onInput={(e) => onInput(Number(e.currentTarget.value))}
        onChange={onCommit}
      />
      <p class="slider-ends" id={`${id}-ends`}>
        <span>0: {low}</span>
        <span>10: {high}</span>
      </p>
    </div>
  );
}

// A chart drawn to the width of its card (the shared FitChart).
export function Chart({ build, label }: { build: (width: number) => Plot.PlotOptions; label: string }) {
  return <FitChart build={build} label={label} deps={[build]} />;
}
