/**
 * Charts of the cockpit, drawn with Chartist (SVG): about 23 kB minified for its bar chart, against ~150 kB for
 * Chart.js even tree-shaken; SVG also leaves every bar in the DOM (line.ct-bar with its ct:value) for tests and
 * for the browser's own zoom and print. Only BarChart is imported, so esbuild drops the line and pie charts.
 * Its stylesheet is not imported: the few rules the page needs are in src/web/page.ts (.ct-*).
 */
import { BarChart } from 'chartist';

export interface Bars {
  labels: string[];
  values: number[];
}

export interface BarChartHandle {
  update(bars: Bars): void;
  destroy(): void;
}

/** Keys in the order a person reads them: digits by value, then the rest alphabetically. */
export function orderKeys(keys: string[]): string[] {
  const num = (k: string) => (/^\d+$/.test(k) ? Number(k) : Number.POSITIVE_INFINITY);
  return [...keys].sort((a, b) => num(a) - num(b) || a.localeCompare(b));
}

/** Counts by key as bars, keys ordered with orderKeys. */
export function barsOf(counts: Record<string, number>): Bars {
  const labels = orderKeys(Object.keys(counts));
  return { labels, values: labels.map((k) => counts[k] ?? 0) };
}

/**
 * A bar chart of counts in `el` (an element Preact renders empty and leaves alone). Each bar carries its count
 * as text above it: an operator reads numbers, not heights.
 */
export function barChart(el: HTMLElement, bars: Bars, height = 180): BarChartHandle {
  let current = bars;
  const chart = new BarChart(el, { labels: current.labels, series: [current.values] }, {
    height: `${height}px`,
    low: 0,
    axisY: { onlyInteger: true },
    chartPadding: { top: 18, right: 8, bottom: 0, left: 0 },
  });
  chart.on('draw', (d) => {
    if (d.type !== 'bar') return;
    d.group.elem('text', { x: d.x2, y: d.y2 - 4, 'text-anchor': 'middle' }, 'ct-value').text(String(current.values[d.index] ?? ''));
  });
  return {
    update(next) {
      current = next;
      chart.update({ labels: next.labels, series: [next.values] });
    },
    destroy() {
      chart.detach();
      el.textContent = '';
    },
  };
}
