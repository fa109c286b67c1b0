// A trace's assessments grouped by reviewer (source), with overridden ones kept as history.
import type { AssessmentWire, Schema } from '../api/types';
import { fmtTime } from '../lib/format';
import { formatAnswer } from '../lib/schema';
import { Badge } from './ui';

export function assessmentValue(a: AssessmentWire): unknown {
  if (a.feedback) return a.feedback.error ? `error: ${a.feedback.error.error_message ?? a.feedback.error.error_code ?? ''}` : a.feedback.value;
  if (a.expectation) {
    const sv = a.expectation.serialized_value;
    if (sv) {
      try {
        return JSON.parse(sv.value);
      } catch {
        return sv.value;
      }
    }
    return a.expectation.value;
  }
  return undefined;
}

/** Short chips for a table cell: one per assessment name, valid ones only. */
export function assessmentChips(list: AssessmentWire[] | undefined): { name: string; text: string; count: number }[] {
  const by = new Map<string, { name: string; values: unknown[] }>();
  for (const a of list ?? []) {
    if (a.valid === false) continue;
    const g = by.get(a.assessment_name) ?? { name: a.assessment_name, values: [] };
    g.values.push(assessmentValue(a));
    by.set(a.assessment_name, g);
  }
  return Array.from(by.values()).map((g) => {
    const distinct = Array.from(new Set(g.values.map((v) => formatAnswer(undefined, v))));
    const text = distinct.length === 1 ? distinct[0] : `${distinct.length} answers`;
    return { name: g.name, text: text.length > 24 ? `${text.slice(0, 23)}…` : text, count: g.values.length };
  });
}

export function AssessmentCard({ a, schema }: { a: AssessmentWire; schema?: Schema }) {
  const invalid = a.valid === false;
  return (
    <div className={`assessment ${invalid ? 'assessment-overridden' : ''}`} data-testid="assessment" data-valid={String(!invalid)}>
      <div className="assessment-head">
        <span className="assessment-name">{schema?.title || a.assessment_name}</span>
        <Badge tone={a.feedback ? 'info' : 'accent'}>{a.feedback ? 'feedback' : 'expectation'}</Badge>
        {invalid && <Badge tone="warn">overridden</Badge>}
        <span className="muted assessment-time">{fmtTime(a.last_update_time ?? a.create_time)}</span>
      </div>
      <div className="assessment-value">{formatAnswer(schema?.input, assessmentValue(a))}</div>
      {a.rationale && <div className="assessment-rationale">“{a.rationale}”</div>}
      <div className="muted assessment-meta">
        {a.source?.source_type ?? 'UNKNOWN'} · {a.source?.source_id || 'unknown source'}
        {a.metadata?.schema_version && <> · schema v{a.metadata.schema_version}</>}
        {a.overrides && <> · replaces {a.overrides}</>}
      </div>
    </div>
  );
}

/** Assessments grouped by source; in each group, current ones first, overridden after. */
export function AssessmentsByReviewer({ assessments, schemas = [], empty = 'No assessments yet.' }: { assessments: AssessmentWire[]; schemas?: Schema[]; empty?: string }) {
  if (assessments.length === 0) return <div className="muted">{empty}</div>;
  const groups = new Map<string, AssessmentWire[]>();
  for (const a of assessments) {
    const k = `${a.source?.source_type ?? ''}|${a.source?.source_id ?? ''}`;
    groups.set(k, [...(groups.get(k) ?? []), a]);
  }
  const schemaBy = new Map(schemas.map((s) => [s.name, s]));
  const t = (a: AssessmentWire) => new Date(a.last_update_time ?? a.create_time ?? 0).getTime();
  return (
    <div className="reviewer-groups">
      {Array.from(groups.entries()).map(([k, list]) => {
        const [type, id] = k.split('|');
        const current = list.filter((a) => a.valid !== false).sort((a, b) => t(b) - t(a));
        const old = list.filter((a) => a.valid === false).sort((a, b) => t(b) - t(a));
        return (
          <section className="reviewer-group" key={k} data-testid="reviewer-group" data-reviewer={id}>
            <h4>
              {id || 'unknown'} <span className="muted">· {type}</span>
            </h4>
            {current.map((a) => (
              <AssessmentCard key={a.assessment_id} a={a} schema={schemaBy.get(a.assessment_name)} />
            ))}
            {old.length > 0 && (
              <details className="history">
                <summary>History: {old.length} overridden</summary>
                {old.map((a) => (
                  <AssessmentCard key={a.assessment_id} a={a} schema={schemaBy.get(a.assessment_name)} />
                ))}
              </details>
            )}
          </section>
        );
      })}
    </div>
  );
}
