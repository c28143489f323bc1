// Time-series charts on uPlot (loaded by its own script tag from the package), coloured from the page's theme.

import type uPlotType from 'uplot';
import { h } from './dom.js';
import { compact, utc } from './format.js';

type UPlot = uPlotType;
const UPlot = (globalThis as unknown as { uPlot: typeof uPlotType }).uPlot;

/** One line (or bars) of a chart. */
export interface SeriesSpec {
  readonly label: string;
  /** A CSS custom property of the theme, e.g. `--series-1`. */
  readonly color: string;
  /** How the legend and the axis write a value. */
  readonly format: (n: number) => string;
  readonly bars?: boolean;
  /** How the value axis writes a tick, when not as a short number (`12.5K`). */
  readonly axis?: (n: number) => string;
}

/** A value range that includes zero, with room above the highest bar. */
function zeroBased(min: number, max: number): [number, number] {
  const low = Math.min(0, min);
  const high = Math.max(0, max);
  return high === low ? [low, low + 1] : [low, high + (high - low) * 0.05];
}

const HEIGHT = 200;
const live = new Set<Chart>();

/** A chart that keeps its element across renders and redraws in place when its data changes. */
export class Chart {
  /** Placed in the page by the view; the plot lives inside it. */
  readonly root: HTMLElement;
  private plot: UPlot | null = null;
  private data: uPlotType.AlignedData | null = null;

  constructor(
    readonly name: string,
    private readonly series: readonly SeriesSpec[],
  ) {
    this.root = h('div', { class: 'chart', 'data-chart': name });
    live.add(this);
  }

  /** Shows `ys[i]` (one array per series) at the times `xs` (epoch milliseconds), or a note when there are none. */
  update(xs: readonly number[], ys: readonly (readonly (number | null)[])[]): void {
    if (xs.length === 0) {
      this.destroy();
      this.root.replaceChildren(h('p', { class: 'empty' }, 'No data in this window yet.'));
      return;
    }
    this.data = [xs.map((x) => x / 1000), ...ys.map((y) => [...y])] as uPlotType.AlignedData;
    if (this.plot === null) this.create();
    else this.plot.setData(this.data);
  }

  private create(): void {
    if (this.data === null) return;
    this.root.replaceChildren();
    const style = getComputedStyle(document.documentElement);
    const color = (name: string) => style.getPropertyValue(name).trim() || '#888';
    const axis = color('--muted');
    const grid = color('--grid');
    const first = this.series[0];
    const many = (this.data[0]?.length ?? 0) > 1;
    this.plot = new UPlot(
      {
        width: this.width(),
        height: HEIGHT,
        tzDate: (ts) => UPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
        scales: {
          x: { time: true },
          // Bars grow from zero, so their heights compare.
          ...(this.series.some((s) => s.bars) ? { y: { range: (_u: UPlot, min: number, max: number) => zeroBased(min, max) } } : {}),
        },
        series: [
          { label: 'UTC', value: (_u, v) => (v === null ? '' : utc(v * 1000).text) },
          ...this.series.map((s) => ({
            label: s.label,
            stroke: color(s.color),
            width: 2,
            ...(s.bars ? { fill: color(s.color), paths: UPlot.paths.bars?.({ size: [0.6, 40] }) } : {}),
            points: { show: !s.bars && !many, size: 6 },
            value: (_u: UPlot, v: number | null) => (v === null ? '—' : s.format(v)),
          })),
        ],
        axes: [
          { stroke: axis, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } },
          {
            stroke: axis,
            size: 70,
            grid: { stroke: grid, width: 1 },
            ticks: { stroke: grid, width: 1 },
            values: (_u, values) => values.map((v) => (first?.axis ?? compact)(v)),
          },
        ],
      },
      this.data,
      this.root,
    );
  }

  private width(): number {
    return Math.max(260, Math.floor(this.root.getBoundingClientRect().width || 600));
  }

  /** Fits the plot to its element's width (once placed in the page, and after the window is resized). */
  resize(): void {
    if (this.plot === null || !this.root.isConnected) return;
    const width = this.width();
    if (width !== this.plot.width) this.plot.setSize({ width, height: HEIGHT });
  }

  /** Recreates the plot with the current theme's colours. */
  restyle(): void {
    if (this.plot === null) return;
    this.destroy();
    this.create();
  }

  private destroy(): void {
    this.plot?.destroy();
    this.plot = null;
  }
}

/** Fits every chart in the page to its panel (a view's charts are drawn before the view is placed). */
export function fitCharts(): void {
  for (const chart of live) chart.resize();
}

/** Keeps every chart fitted to the window and coloured for the system's light or dark setting. */
export function watchLayout(): void {
  let pending = 0;
  addEventListener('resize', () => {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(fitCharts);
  });
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
    for (const chart of live) chart.restyle();
  });
}
