// Small pieces every page uses: loading and error notes, a page frame, a field.
import type { ComponentChildren } from "preact";
import { ApiError } from "../api";

export function Loading({ what = "Loading" }: { what?: string }) {
  return (
    <p class="quiet" role="status" aria-live="polite">
      {what}…
    </p>
  );
}

// A problem from the server in plain words; names the field when the server did.
export function ErrorNote({ error }: { error: ApiError | Error | undefined | null }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  let text = error.message;
  if (api?.status === 403) {
    const detail = api.detail ? api.detail.charAt(0).toUpperCase() + api.detail.slice(1) : "";
    text = `This is not open to your account.${detail ? ` ${detail}.`.replace(/\.\.$/, ".") : ""}`;
  }
  if (api?.status === 404) text = "We could not find that. It may have been moved or closed.";
  if (api?.status === 429) text = "Too many tries in a short time. Please wait a few minutes and try again.";
  return (
    <div class="note note-error" role="alert">
      <p>{text}</p>
      {api?.field ? <p class="quiet">Field: {api.field}</p> : null}
    </div>
  );
}

export function Page({ title, children, wide }: { title: string; children: ComponentChildren; wide?: boolean }) {
  return (
    <main id="main" class={wide ? "page page-wide" : "page"} tabIndex={-1}>
      <h1>{title}</h1>
      {children}
    </main>
  );
}

export function Field({ label, hint, children, id }: { label: string; hint?: string; children: ComponentChildren; id: string }) {
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {children}
    </div>
  );
}

export function Saved({ when }: { when: string | null }) {
  return (
    <p class="saved" role="status" aria-live="polite">
      {when ?? ""}
    </p>
  );
}
