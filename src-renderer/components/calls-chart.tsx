import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Overview } from '../../src-shared/control-api.js';

const SERIES = [
  { key: 'ok', label: 'ok', stroke: '#2e9d5b' },
  { key: 'error', label: 'error', stroke: '#d9822b' },
  { key: 'denied', label: 'denied', stroke: '#d64545' },
  { key: 'other', label: 'other', stroke: '#8a8fa3' },
] as const;

/** Calls per minute by outcome (uPlot: small and fast, canvas-drawn). */
export function CallsChart({ perMinute }: { perMinute: Overview['perMinute'] }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const data: uPlot.AlignedData = [perMinute.map((p) => p.minute / 1000), ...SERIES.map((s) => perMinute.map((p) => p[s.key]))];
    const plot = new uPlot(
      {
        width: Math.max(300, element.clientWidth),
        height: 200,
        series: [{}, ...SERIES.map((s) => ({ label: s.label, stroke: s.stroke, width: 2 }))],
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', label: 'calls / min' }],
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
  }, [perMinute]);
  return <div ref={box} className="chart" role="img" aria-label="Calls per minute by outcome over the last hour" />;
}
