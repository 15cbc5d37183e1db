// Pieces the therapist's pages share: a chart that fits its column, a signal as a tag whose
// reason opens on tap, the evidence behind a finding, and a chart's table of numbers.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import type { Evidence, Signal } from "../../types";
import { label, signalLabels } from "../../texts";
import { evidenceRows, ruleText, sessionSpan } from "./evidence";
import "./therapist.css";

// A chart drawn to the width of its column (shared with the client's pages).
export { FitChart } from "../../charts/PlotFigure";

export function signalTone(type: string): string {
  if (type === "crisis") return "tag-alert";
  if (type === "returned-after-hard-session") return "tag-ok";
  if (type === "review-due") return "tag";
  return "tag-warm";
}

// A signal as a tag; tapping it (or hovering) shows the server's reason.
export function SignalTag({ signal }: { signal: Signal }) {
  const name = label(signalLabels, signal.type);
  return (
    <details class={`signal ${signal.type === "crisis" ? "signal-crisis" : ""}`}>
      <summary class={`tag ${signalTone(signal.type)}`} title={signal.reason}>
        {signal.type === "crisis" ? <span aria-hidden="true">⚠ </span> : null}
        {name}
      </summary>
      <p class="signal-reason">
        {signal.reason} <span class="quiet">(session {signal.session})</span>
      </p>
    </details>
  );
}

// The rule, the sessions and the numbers behind a status, a pattern or a signal.
export function EvidenceTable({ evidence, caption }: { evidence: Evidence; caption: string }) {
  const rows = evidenceRows(evidence);
  return (
    <div class="evidence">
      <p>
        <strong>Rule:</strong> {ruleText(evidence.rule)} <code class="quiet">{evidence.rule}</code>
      </p>
      <p>
        <strong>Looked at:</strong> {sessionSpan(evidence)}
      </p>
      {rows.length ? (
        <Scroll label={caption}>
          <table class="evidence-values">
            <caption class="visually-hidden">{caption}</caption>
            <thead>
              <tr>
                <th scope="col">Value</th>
                <th scope="col">Number</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.key}>
                  <th scope="row" title={row.key}>
                    {row.name}
                  </th>
                  <td>{row.value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </Scroll>
      ) : null}
    </div>
  );
}

// A finding with its evidence one tap (or hover) away: a button that opens the panel.
export function WithEvidence({ id, evidence, caption, children }: { id: string; evidence: Evidence | undefined; caption: string; children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  if (!evidence) return <>{children}</>;
  return (
    <div class={`with-evidence ${open ? "is-open" : ""}`}>
      {children}
      <button
        type="button"
        class="evidence-toggle no-print"
        aria-expanded={open}
        aria-controls={id}
        title={`${ruleText(evidence.rule)}; ${sessionSpan(evidence)}`}
        onClick={() => setOpen(!open)}
      >
        {open ? "Hide the evidence" : "Evidence"}
        <span class="visually-hidden"> for {caption}</span>
      </button>
      <div id={id} class="evidence-panel" hidden={!open}>
        <EvidenceTable evidence={evidence} caption={`Evidence for ${caption}`} />
      </div>
    </div>
  );
}

// A table that may scroll sideways on a phone: reachable and scrollable from the keyboard.
export function Scroll({ label: name, children, extraClass }: { label: string; children: ComponentChildren; extraClass?: string }) {
  return (
    <div class={`table-scroll ${extraClass ?? ""}`} tabIndex={0} role="region" aria-label={name}>
      {children}
    </div>
  );
}

// A chart's numbers as a table, folded away under the chart.
export function ChartTable({ summary, label: name, children }: { summary: string; label: string; children: ComponentChildren }) {
  return (
    <details class="chart-table no-print">
      <summary>{summary}</summary>
      <Scroll label={`Table: ${name}`}>{children}</Scroll>
    </details>
  );
}

// A small drawn key for a chart legend: a line, a band, a dot, an arrow, a symbol.
export function Key({ kind, colour, children }: { kind: "line" | "dash" | "band" | "dot" | "arrow" | "cross" | "triangle" | "star"; colour: string; children: ComponentChildren }) {
  return (
    <span class="key">
      <svg width="26" height="14" viewBox="0 0 26 14" aria-hidden="true" focusable="false">
        {kind === "line" ? <line x1="1" y1="7" x2="25" y2="7" stroke={colour} stroke-width="2.5" /> : null}
        {kind === "dash" ? <line x1="1" y1="7" x2="25" y2="7" stroke={colour} stroke-width="2" stroke-dasharray="5 3" /> : null}
        {kind === "band" ? <rect x="1" y="2" width="24" height="10" fill={colour} /> : null}
        {kind === "dot" ? <circle cx="13" cy="7" r="5" fill={colour} stroke="white" /> : null}
        {kind === "arrow" ? (
          <>
            <line x1="2" y1="11" x2="22" y2="3" stroke={colour} stroke-width="2.5" />
            <path d="M16 2 L23 3 L19 8" fill="none" stroke={colour} stroke-width="2" />
          </>
        ) : null}
        {kind === "cross" ? <path d="M9 3 L17 11 M17 3 L9 11" stroke={colour} stroke-width="2" /> : null}
        {kind === "triangle" ? <path d="M13 2 L19 12 L7 12 Z" fill={colour} /> : null}
        {kind === "star" ? <path d="M13 1 L15 6 L20 6 L16 9 L18 14 L13 11 L8 14 L10 9 L6 6 L11 6 Z" fill={colour} /> : null}
      </svg>
      {children}
    </span>
  );
}

// Copies text to the clipboard, saying so for screen readers.
export function CopyButton({ text, what }: { text: string; what: string }) {
  const [state, setState] = useState<"idle" | "copied" | "failed">("idle");
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
      setState("copied");
    } catch {
      setState("failed");
    }
  };
  return (
    <>
      <button type="button" onClick={copy}>
        Copy
        <span class="visually-hidden"> {what}</span>
      </button>
      <span role="status" aria-live="polite" class="quiet">
        {state === "copied" ? "Copied." : state === "failed" ? "Could not copy: select the link and copy it yourself." : ""}
      </span>
    </>
  );
}
