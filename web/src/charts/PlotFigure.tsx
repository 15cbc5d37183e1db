// An Observable Plot chart inside Preact. Plot adds a <style> element of its own; the
// server's Content-Security-Policy refuses inline styles, so it is taken out before the
// chart joins the page and styles.css carries the same defaults (.chart svg). Plot also
// puts aria-label on the marks' <g> elements; the chart is one image (role="img", its own
// label, a table beside it), and a label on a <g> without a role is an axe-core fault
// (aria-prohibited-attr), so those go too.
import * as Plot from "@observablehq/plot";
import { useEffect, useMemo, useRef, useState } from "preact/hooks";

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

// The width of the element `ref` is on, followed as the window changes (charts are drawn to it).
export function useWidth<T extends HTMLElement>(fallback = 640): [{ current: T | null }, number] {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => {
      const next = Math.floor(element.getBoundingClientRect().width);
      if (next > 0) setWidth((old) => (Math.abs(old - next) > 4 ? next : old));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

// A chart drawn to the width of its column (280 to 1200 px); `build` is called again only
// when the width or `deps` change.
export function FitChart({ build, label, deps }: { build: (width: number) => Plot.PlotOptions; label: string; deps: unknown[] }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const options = useMemo(() => build(Math.min(Math.max(width, 280), 1200)), [width, ...deps]);
  return (
    <div ref={ref} class="fit-chart">
      <PlotFigure options={options} label={label} />
    </div>
  );
}
