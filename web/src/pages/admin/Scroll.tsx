// A wide table's frame: it scrolls sideways on a phone, and can be reached and scrolled
// with the keyboard (a named region in the tab order).
import type { ComponentChildren } from "preact";

export function TableScroll({ label, children }: { label: string; children: ComponentChildren }) {
  return (
    <div class="table-scroll" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
