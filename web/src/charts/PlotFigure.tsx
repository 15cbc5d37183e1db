// An Observable Plot chart inside Preact. Plot adds a <style> element of its own; the
// server's Content-Security-Policy refuses inline styles, so it is taken out before the
// chart joins the page and styles.css carries the same defaults (.chart svg). Plot also
// puts aria-label on the marks' <g> elements; the chart is one image (role="img", its own
// label, a table beside it), and a label on a <g> without a role is an axe-core fault
// (aria-prohibited-attr), so those go too.
import * as Plot from "@observablehq/plot";
import { useEffect, useRef } from "preact/hooks";

export function stripInlineStyles(node: Element): Element {
  node.querySelectorAll("style").forEach((style) => style.remove());
  node.querySelectorAll("[aria-label], [aria-description]").forEach((inner) => {
    inner.removeAttribute("aria-label");
    inner.removeAttribute("aria-description");
  });
  return node;
}

export function PlotFigure({ options, label }: { options: Plot.PlotOptions; label: string }) {
  const holder = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = holder.current;
    if (!element) return;
    const chart = stripInlineStyles(Plot.plot(options));
    chart.setAttribute("role", "img");
    chart.setAttribute("aria-label", label);
    element.replaceChildren(chart);
    return () => element.replaceChildren();
  }, [options, label]);
  return <div class="chart" ref={holder} />;
}
