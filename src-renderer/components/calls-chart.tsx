import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Overview } from '../../src-shared/control-api.js';

const SERIES = [
  { key: 'ok', label: 'ok', color: '--chart-ok' },
  { key: 'error', label: 'failed', color: '--chart-error' },
  { key: 'denied', label: 'denied', color: '--chart-denied' },
  { key: 'other', label: 'other', color: '--chart-other' },
] as const;

/** The theme's colours: a canvas cannot read `currentColor` or CSS variables by itself. */
function themeColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** Follows the light/dark setting, so the chart is drawn again in the other theme's colours. */
function useColorScheme(): string {
  const [scheme, setScheme] = useState(() => (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light'));
  useEffect(() => {
    const query = matchMedia('(prefers-color-scheme: dark)');
    const onChange = () => setScheme(query.matches ? 'dark' : 'light');
    query.addEventListener('change', onChange);
    return () => query.removeEventListener('change', onChange);
  }, []);
  return scheme;
}

/** Calls per minute by outcome (uPlot: small and fast, canvas-drawn), in the theme's colours. */
export function CallsChart({ perMinute }: { perMinute: Overview['perMinute'] }) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useColorScheme();
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const data: uPlot.AlignedData = [perMinute.map((p) => p.minute / 1000), ...SERIES.map((s) => perMinute.map((p) => p[s.key]))];
    const text = themeColor('--fg');
    const grid = { stroke: themeColor('--grid'), width: 1 };
    const ticks = { stroke: themeColor('--grid'), width: 1 };
    const font = '12px system-ui, sans-serif';
    const plot = new uPlot(
      {
        width: Math.max(300, element.clientWidth),
        height: 200,
        series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: themeColor(s.color), width: 2, points: { show: false } }))],
        axes: [
          { stroke: text, grid, ticks, font, space: 70 },
          // Room for the label beside the tick numbers, so they never overlap.
          { stroke: text, grid, ticks, font, label: 'calls / min', labelFont: font, labelSize: 20, labelGap: 4, size: 48, space: 30, incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000] },
        ],
      },
      data,
      element,
    );
    const resize = (): void => plot.setSize({ width: Math.max(300, element.clientWidth), height: 200 });
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      plot.destroy();
    };
  }, [perMinute, scheme]);
  return <div ref={box} className="chart" role="img" aria-label="Calls per minute by outcome over the last hour" />;
}
