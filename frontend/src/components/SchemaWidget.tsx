// One widget per label schema, exactly as reviewers see it. Used by the Review App, the label
// preview of the create-session dialog and the schema editor's live preview.
import { useEffect, useId, useState } from 'react';
import type { Schema } from '../api/types';
import { inputKind } from '../lib/schema';

export interface Answer {
  value: unknown;
  comment: string;
}

/** The digit key that picks option i (1..9, then 0 for the tenth). */
export const digitFor = (i: number) => (i < 9 ? String(i + 1) : i === 9 ? '0' : '');

/** Options a digit can pick for a schema, or null when the widget takes no digits. */
export function digitOptions(s: Schema): { values: unknown[]; multi: boolean } | null {
  const k = inputKind(s.input);
  if (k === 'categorical') return { values: s.input.categorical!.options, multi: false };
  if (k === 'categorical_list') return { values: s.input.categorical_list!.options, multi: true };
  if (k === 'pass_fail') return { values: [true, false], multi: false };
  if (k === 'numeric') {
    const { min_value: lo, max_value: hi } = s.input.numeric!;
    if (lo != null && hi != null && Number.isInteger(lo) && Number.isInteger(hi) && hi - lo < 10) {
      return { values: Array.from({ length: hi - lo + 1 }, (_, i) => lo + i), multi: false };
    }
  }
  return null;
}

/** Applies a digit key to an answer; returns the new value or undefined when not applicable. */
export function applyDigit(s: Schema, current: unknown, digit: string): unknown | undefined {
  const d = digitOptions(s);
  if (!d) return undefined;
  const i = digit === '0' ? 9 : Number(digit) - 1;
  if (i < 0 || i >= d.values.length) return undefined;
  const v = d.values[i];
  if (!d.multi) return v;
  const list = Array.isArray(current) ? [...(current as unknown[])] : [];
  return list.includes(v) ? list.filter((x) => x !== v) : [...list, v];
}

interface Props {
  schema: Schema;
  index: number;
  answer: Answer;
  onChange: (a: Answer) => void;
  error?: string | null;
  active?: boolean;
  disabled?: boolean;
  /** Show which digit picks which option. */
  showKeys?: boolean;
}

export function SchemaWidget({ schema, index, answer, onChange, error, active, disabled, showKeys = true }: Props) {
  const id = useId();
  const kind = inputKind(schema.input);
  const setValue = (value: unknown) => onChange({ ...answer, value });
  return (
    <fieldset className={`question ${active ? 'question-active' : ''} ${error ? 'question-invalid' : ''}`} data-schema={schema.name} disabled={disabled}>
      <legend className="question-title">
        <span className="question-n">{index + 1}</span>
        <span>{schema.title || schema.name}</span>
        {schema.type === 'expectation' && <span className="question-kind" title="Expectation: the right answer, for evaluation datasets">expectation</span>}
      </legend>
      {schema.instruction && <div className="question-instruction">{schema.instruction}</div>}
      <div className="question-input">
        {kind === 'categorical' && (
          <div className="options" role="radiogroup" aria-label={schema.title || schema.name}>
            {schema.input.categorical!.options.map((o, i) => (
              <label key={o} className={`option ${answer.value === o ? 'option-on' : ''}`}>
                <input type="radio" name={id} checked={answer.value === o} onChange={() => setValue(o)} />
                {showKeys && digitFor(i) && <kbd>{digitFor(i)}</kbd>}
                <span>{o}</span>
              </label>
            ))}
          </div>
        )}
        {kind === 'categorical_list' && (
          <div className="options" role="group" aria-label={schema.title || schema.name}>
            {schema.input.categorical_list!.options.map((o, i) => {
              const on = Array.isArray(answer.value) && (answer.value as unknown[]).includes(o);
              return (
                <label key={o} className={`option ${on ? 'option-on' : ''}`}>
                  <input
                    type="checkbox"
                    checked={on}
                    onChange={() => {
                      const cur = Array.isArray(answer.value) ? (answer.value as string[]) : [];
                      setValue(on ? cur.filter((x) => x !== o) : [...cur, o]);
                    }}
                  />
                  {showKeys && digitFor(i) && <kbd>{digitFor(i)}</kbd>}
                  <span>{o}</span>
                </label>
              );
            })}
          </div>
        )}
        {kind === 'pass_fail' && (
          <div className="options options-row" role="radiogroup" aria-label={schema.title || schema.name}>
            {[true, false].map((v, i) => (
              <label key={String(v)} className={`option option-${v ? 'pass' : 'fail'} ${answer.value === v ? 'option-on' : ''}`}>
                <input type="radio" name={id} checked={answer.value === v} onChange={() => setValue(v)} />
                {showKeys && <kbd>{i + 1}</kbd>}
                <span>{v ? schema.input.pass_fail!.positive_label : schema.input.pass_fail!.negative_label}</span>
              </label>
            ))}
          </div>
        )}
        {kind === 'numeric' && <NumericInput schema={schema} value={answer.value} onChange={setValue} showKeys={showKeys} />}
        {kind === 'text' && (
          <div>
            <textarea
              className="textarea"
              rows={3}
              aria-label={schema.title || schema.name}
              value={typeof answer.value === 'string' ? answer.value : ''}
              onChange={(e) => setValue(e.target.value)}
              placeholder="Type your answer (Ctrl+Enter submits)"
            />
            {schema.input.text!.max_length != null && (
              <div className="counter">
                {Array.from(typeof answer.value === 'string' ? answer.value : '').length} / {schema.input.text!.max_length}
              </div>
            )}
          </div>
        )}
        {kind === 'text_list' && <TextListInput schema={schema} value={answer.value} onChange={setValue} />}
        {kind === '' && <div className="muted">This question has no valid answer type.</div>}
      </div>
      {schema.enable_comment && (
        <textarea
          className="textarea comment"
          rows={2}
          aria-label={`Comment on ${schema.title || schema.name}`}
          placeholder="Comment (optional)"
          value={answer.comment}
          onChange={(e) => onChange({ ...answer, comment: e.target.value })}
        />
      )}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </fieldset>
  );
}

function NumericInput({ schema, value, onChange, showKeys }: { schema: Schema; value: unknown; onChange: (v: unknown) => void; showKeys: boolean }) {
  const { min_value: lo, max_value: hi } = schema.input.numeric!;
  const [raw, setRaw] = useState(typeof value === 'number' ? String(value) : '');
  useEffect(() => {
    setRaw(typeof value === 'number' ? String(value) : value === undefined || value === null ? '' : raw);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [value]);
  const scale = digitOptions(schema);
  return (
    <div className="numeric">
      {scale && (
        <div className="options options-row" role="radiogroup" aria-label={schema.title || schema.name}>
          {scale.values.map((v, i) => (
            <button type="button" key={String(v)} className={`option option-scale ${value === v ? 'option-on' : ''}`} aria-pressed={value === v} onClick={() => onChange(v)}>
              {showKeys && <kbd>{digitFor(i)}</kbd>}
              <span>{String(v)}</span>
            </button>
          ))}
        </div>
      )}
      {!scale && (
        <input
          className="input input-number"
          type="number"
          inputMode="decimal"
          aria-label={schema.title || schema.name}
          value={raw}
          min={lo ?? undefined}
          max={hi ?? undefined}
          step="any"
          onChange={(e) => {
            setRaw(e.target.value);
            const t = e.target.value.trim();
            onChange(t === '' ? undefined : Number(t));
          }}
        />
      )}
      {(lo != null || hi != null) && !scale && (
        <span className="muted range">
          {lo ?? '−∞'} to {hi ?? '∞'}
        </span>
      )}
    </div>
  );
}

function TextListInput({ schema, value, onChange }: { schema: Schema; value: unknown; onChange: (v: unknown) => void }) {
  const list = Array.isArray(value) ? (value as string[]) : [];
  const rows = list.length === 0 ? [''] : list;
  const { max_count: mc, max_length_each: ml } = schema.input.text_list!;
  const set = (i: number, s: string) => {
    const next = [...rows];
    next[i] = s;
    onChange(next.every((x) => x === '') ? [] : next);
  };
  return (
    <div className="text-list">
      {rows.map((s, i) => (
        <div className="text-list-row" key={i}>
          <input
            className="input"
            value={s}
            aria-label={`${schema.title || schema.name} — entry ${i + 1}`}
            placeholder={`Entry ${i + 1}`}
            maxLength={ml != null ? ml + 50 : undefined}
            onChange={(e) => set(i, e.target.value)}
          />
          {rows.length > 1 && (
            <button type="button" className="btn btn-ghost btn-icon" aria-label={`Remove entry ${i + 1}`} onClick={() => onChange(rows.filter((_, j) => j !== i))}>
              ×
            </button>
          )}
        </div>
      ))}
      <button type="button" className="btn btn-ghost btn-small" disabled={mc != null && rows.length >= mc} onClick={() => onChange([...rows, ''])}>
        + Add entry
      </button>
      {(mc != null || ml != null) && (
        <span className="muted range">
          {mc != null && `up to ${mc} entries`}
          {mc != null && ml != null && ', '}
          {ml != null && `${ml} characters each`}
        </span>
      )}
    </div>
  );
}

/** The questions of a session exactly as reviewers will see them (non-submitting). */
export function LabelPreview({ schemas }: { schemas: Schema[] }) {
  const [answers, setAnswers] = useState<Record<string, Answer>>({});
  if (schemas.length === 0) return <div className="muted">Pick at least one schema to see the questions.</div>;
  return (
    <div className="label-preview" data-testid="label-preview">
      {schemas.map((s, i) => (
        <SchemaWidget
          key={s.name}
          schema={s}
          index={i}
          answer={answers[s.name] ?? { value: undefined, comment: '' }}
          onChange={(a) => setAnswers((x) => ({ ...x, [s.name]: a }))}
        />
      ))}
    </div>
  );
}

/** Prepares answers for submission: empty text_list entries dropped, comments trimmed. */
export function cleanAnswer(schema: Schema, a: Answer): { value: unknown; comment?: string } {
  let v = a.value;
  if (inputKind(schema.input) === 'text_list' && Array.isArray(v)) v = (v as string[]).map((s) => s.trim()).filter(Boolean);
  if (inputKind(schema.input) === 'text' && typeof v === 'string') v = v.trim();
  const out: { value: unknown; comment?: string } = { value: v };
  if (schema.enable_comment && a.comment.trim()) out.comment = a.comment.trim();
  return out;
}
