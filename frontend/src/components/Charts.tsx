// Session charts with Chart.js. This module is loaded lazily (React.lazy in the session page) so
// the chart library never weighs on the initial bundle.
import { useEffect, useRef } from 'react';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Tooltip, type ChartConfiguration } from 'chart.js';
import type { Schema, SessionStats } from '../api/types';
import { inputKind } from '../lib/schema';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Tooltip);
Chart.defaults.font.family = getComputedStyle(document.documentElement).getPropertyValue('--font').trim() || 'system-ui, sans-serif';
Chart.defaults.color = '#4a5568';

const COLORS = { done: '#2f855a', skipped: '#d69e2e', todo: '#cbd5e0', bar: '#2f5bd3' };

function ChartCanvas({ config, height, label }: { config: ChartConfiguration; height: number; label: string }) {
  const ref = useRef<HTMLCanvasElement>(null);
  useEffect(() => {
    if (!ref.current) return;
    const c = new Chart(ref.current, config);
    return () => c.destroy();
    // Rebuild only when the data changes, not on every render of the parent.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [JSON.stringify(config.data)]);
  return (
    <div className="chart" style={{ height }}>
      <canvas ref={ref} role="img" aria-label={label} />
    </div>
  );
}

export default function SessionCharts({ stats, schemas }: { stats: SessionStats; schemas: Schema[] }) {
  const byName = new Map(schemas.map((s) => [s.name, s]));
  const reviewers = stats.reviewers ?? [];
  const progress: ChartConfiguration = {
    type: 'bar',
    data: {
      labels: reviewers.map((r) => r.reviewer),
      datasets: [
        { label: 'Done', data: reviewers.map((r) => r.done), backgroundColor: COLORS.done },
        { label: 'Skipped', data: reviewers.map((r) => r.skipped), backgroundColor: COLORS.skipped },
        { label: 'To do', data: reviewers.map((r) => r.todo), backgroundColor: COLORS.todo },
      ],
    },
    options: {
      indexAxis: 'y',
      maintainAspectRatio: false,
      animation: false,
      scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
      plugins: { legend: { position: 'bottom' } },
    },
  };
  return (
    <div className="charts">
      <div className="chart-card">
        <h3 className="chart-title">Progress per reviewer</h3>
        {reviewers.length ? (
          <ChartCanvas config={progress} height={Math.max(110, 36 * reviewers.length + 60)} label="Progress per reviewer" />
        ) : (
          <div className="muted">No reviewers assigned yet.</div>
        )}
      </div>
      {(stats.schemas ?? []).map((s) => {
        const schema = byName.get(s.name);
        const kind = schema ? inputKind(schema.input) : '';
        const entries = Object.entries(s.distribution ?? {}).sort((a, b) => b[1] - a[1]);
        const title = (
          <h3 className="chart-title">
            {schema?.title || s.name}
            {s.agreement?.alpha != null && (
              <span className="muted" title={`Krippendorff's alpha${s.agreement.level ? `, ${s.agreement.level} level` : ''}`}>
                {' '}
                · agreement α = {s.agreement.alpha.toFixed(2)}
              </span>
            )}
          </h3>
        );
        if (kind === 'text' || kind === 'text_list') {
          // Free text has no useful distribution to draw: say how many answers there are.
          const n = entries.reduce((a, [, v]) => a + v, 0);
          return (
            <div className="chart-card" key={s.name} data-testid="distribution">
              {title}
              <div className="big-number">
                {n} <span className="muted">free-text answers</span>
              </div>
              <div className="muted small">Open a request to read them, or sync them to a dataset.</div>
            </div>
          );
        }
        if (kind === 'categorical' || kind === 'categorical_list') {
          // Show every option, answered or not, in the schema's order.
          const counts = new Map(entries);
          const opts = (schema!.input.categorical ?? schema!.input.categorical_list)!.options;
          entries.splice(0, entries.length, ...opts.map((o) => [o, counts.get(o) ?? 0] as [string, number]), ...entries.filter(([k]) => !opts.includes(k)));
        }
        const cfg: ChartConfiguration = {
          type: 'bar',
          data: { labels: entries.map(([k]) => (k.length > 28 ? `${k.slice(0, 27)}…` : k)), datasets: [{ label: 'Answers', data: entries.map(([, v]) => v), backgroundColor: COLORS.bar }] },
          options: { maintainAspectRatio: false, animation: false, scales: { y: { ticks: { precision: 0 }, beginAtZero: true } }, plugins: { legend: { display: false } } },
        };
        return (
          <div className="chart-card" key={s.name} data-testid="distribution">
            {title}
            {entries.length ? <ChartCanvas config={cfg} height={160} label={`Answers to ${s.name}`} /> : <div className="muted">No answers yet.</div>}
          </div>
        );
      })}
    </div>
  );
}
