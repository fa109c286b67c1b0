// Session statistics worked out in the browser from the items and their traces' assessments,
// used while the server's GET /sessions/{sid}/stats is not available.
import type { SessionItem, SessionStats, TraceInfo } from '../api/types';
import { assessmentValue } from '../components/Assessments';
import { formatAnswer } from './schema';

export function deriveStats(items: SessionItem[], infos: Map<string, TraceInfo>, reviewers: string[], schemaNames: string[]): SessionStats {
  const rs = reviewers.map((r) => {
    let done = 0;
    let skipped = 0;
    const times: number[] = [];
    for (const it of items) {
      const rv = it.reviews?.find((x) => x.reviewer === r);
      if (rv?.state === 'COMPLETED') {
        done++;
        if (rv.time_spent_ms) times.push(rv.time_spent_ms);
      } else if (rv?.state === 'SKIPPED') skipped++;
    }
    times.sort((a, b) => a - b);
    return { reviewer: r, done, skipped, todo: Math.max(0, items.length - done - skipped), median_ms: times.length ? times[Math.floor(times.length / 2)] : null };
  });
  const schemas = schemaNames.map((name) => {
    const distribution: Record<string, number> = {};
    for (const it of items) {
      const info = it.source.trace_id ? infos.get(it.source.trace_id) : undefined;
      for (const a of info?.assessments ?? []) {
        if (a.assessment_name !== name || a.valid === false || a.source?.source_type !== 'HUMAN') continue;
        const v = assessmentValue(a);
        const keys = Array.isArray(v) ? v.map((x) => formatAnswer(undefined, x)) : [formatAnswer(undefined, v)];
        for (const k of keys) distribution[k] = (distribution[k] ?? 0) + 1;
      }
    }
    return { name, distribution };
  });
  return { reviewers: rs, schemas };
}
