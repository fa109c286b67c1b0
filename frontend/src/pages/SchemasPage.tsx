// Label schemas: the experiment's questions (built-ins marked), create and edit with a live
// preview of the widget exactly as reviewers see it, and the version each one is at.
import { useMemo, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { createSchema, deleteSchema, listSchemas, updateSchema } from '../api/endpoints';
import type { Schema } from '../api/types';
import { SchemaWidget, type Answer } from '../components/SchemaWidget';
import { Badge, Button, Dialog, EmptyState, ErrorState, Field, InlineError, Spinner, toast, useAsync } from '../components/ui';
import { fmtTime } from '../lib/format';
import { defaultInput, inputKind, INPUT_KINDS, KIND_LABELS, validateSchemaDef, validateAnswer, type InputKind } from '../lib/schema';

export default function SchemasPage({ experimentId }: { experimentId: string }) {
  const schemas = useAsync(() => listSchemas(experimentId), [experimentId]);
  const [editing, setEditing] = useState<Schema | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Schema | null>(null);
  return (
    <div className="page">
      <div className="page-header">
        <h1>Label schemas</h1>
        <div className="page-actions">
          <Button variant="primary" onClick={() => setEditing('new')}>
            Create schema
          </Button>
        </div>
      </div>
      <p className="muted page-intro">Each schema is one question reviewers answer; its name becomes the name of the assessments the answers create.</p>
      {schemas.loading && !schemas.data && <Spinner />}
      {schemas.error ? <ErrorState error={schemas.error} onRetry={schemas.reload} /> : null}
      {schemas.data && schemas.data.length === 0 && <EmptyState title="No label schemas" action={<Button onClick={() => setEditing('new')}>Create schema</Button>} />}
      {schemas.data && schemas.data.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="schemas-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>Question</th>
                <th>Type</th>
                <th>Answer</th>
                <th className="num">Version</th>
                <th>Updated</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {schemas.data.map((s) => {
                const k = inputKind(s.input);
                return (
                  <tr key={s.schema_id ?? s.name} data-schema={s.name}>
                    <td className="nowrap">
                      <code>{s.name}</code> {s.builtin && <Badge tone="accent">built-in</Badge>}
                    </td>
                    <td>
                      <div className="strong">{s.title || '—'}</div>
                      {s.instruction && <div className="muted small">{s.instruction.length > 120 ? `${s.instruction.slice(0, 119)}…` : s.instruction}</div>}
                    </td>
                    <td>
                      <Badge tone={s.type === 'feedback' ? 'info' : 'accent'}>{s.type}</Badge>
                    </td>
                    <td className="nowrap">{k ? KIND_LABELS[k] : '—'}</td>
                    <td className="num">v{s.version ?? 1}</td>
                    <td className="nowrap muted small">{s.last_updated_at ? fmtTime(s.last_updated_at) : '—'}</td>
                    <td className="nowrap actions-cell">
                      <Button variant="ghost" className="btn-small" onClick={() => setEditing(s)}>
                        Edit
                      </Button>
                      {!s.builtin && (
                        <Button variant="ghost" className="btn-small" onClick={() => setDeleting(s)}>
                          Delete
                        </Button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {editing && (
        <SchemaEditor
          experimentId={experimentId}
          initial={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            schemas.reload();
          }}
        />
      )}
      {deleting && (
        <Dialog
          title={`Delete “${deleting.name}”?`}
          onClose={() => setDeleting(null)}
          footer={
            <>
              <Button onClick={() => setDeleting(null)}>Cancel</Button>
              <Button
                variant="danger"
                onClick={async () => {
                  try {
                    await deleteSchema(deleting.schema_id!);
                    toast('Schema deleted');
                    setDeleting(null);
                    schemas.reload();
                  } catch (e) {
                    toast(errorMessage(e), 'error');
                  }
                }}
              >
                Delete
              </Button>
            </>
          }
        >
          <p>Assessments already made with this schema are kept.</p>
        </Dialog>
      )}
    </div>
  );
}

const numOrNull = (s: string): number | null => (s.trim() === '' || !Number.isFinite(Number(s)) ? null : Number(s));

function SchemaEditor({ experimentId, initial, onClose, onSaved }: { experimentId: string; initial: Schema | null; onClose: () => void; onSaved: () => void }) {
  const [s, setS] = useState<Schema>(
    initial ?? { name: '', type: 'feedback', title: '', instruction: '', enable_comment: false, input: defaultInput('categorical') },
  );
  const [optionsText, setOptionsText] = useState(() => {
    const k = inputKind(s.input);
    return k === 'categorical' ? s.input.categorical!.options.join('\n') : k === 'categorical_list' ? s.input.categorical_list!.options.join('\n') : 'Good\nBad';
  });
  const [touched, setTouched] = useState(false);
  const [serverErr, setServerErr] = useState<{ field?: string; message: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [preview, setPreview] = useState<Answer>({ value: undefined, comment: '' });
  const kind = inputKind(s.input) as InputKind;
  const errors = useMemo(() => validateSchemaDef(s), [s]);
  const shown = touched ? errors : {};
  const err = (f: string) => shown[f] ?? (serverErr?.field === f ? serverErr.message : undefined);
  const set = (patch: Partial<Schema>) => setS((x) => ({ ...x, ...patch }));
  const setKind = (k: InputKind) => {
    let input = defaultInput(k);
    if (k === 'categorical' || k === 'categorical_list') {
      const options = optionsText.split('\n').map((x) => x.trim()).filter(Boolean);
      input = k === 'categorical' ? { categorical: { options } } : { categorical_list: { options } };
    }
    set({ input });
    setPreview({ value: undefined, comment: '' });
  };
  const setOptions = (text: string) => {
    setOptionsText(text);
    const options = text.split('\n').map((x) => x.trim()).filter(Boolean);
    set({ input: kind === 'categorical' ? { categorical: { options } } : { categorical_list: { options } } });
  };
  const save = async () => {
    setTouched(true);
    if (Object.keys(errors).length) return;
    setBusy(true);
    setServerErr(null);
    try {
      if (initial?.schema_id) await updateSchema(initial.schema_id, s);
      else await createSchema(experimentId, { ...s, name: s.name.trim() });
      toast(initial ? 'Schema saved' : `Schema "${s.name.trim()}" created`);
      onSaved();
    } catch (e) {
      setServerErr({ field: e instanceof ApiError ? e.field : undefined, message: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  };
  const previewError = preview.value !== undefined ? validateAnswer(s.input, preview.value) : null;
  return (
    <Dialog
      title={initial ? `Edit “${initial.name}”` : 'Create label schema'}
      wide
      onClose={onClose}
      footer={
        <>
          {initial && <span className="muted small footer-note">Changing a schema that already has answers creates version v{(initial.version ?? 1) + 1}.</span>}
          <Button onClick={onClose}>Cancel</Button>
          <Button variant="primary" onClick={save} disabled={busy}>
            {busy ? 'Saving…' : initial ? 'Save' : 'Create schema'}
          </Button>
        </>
      }
    >
      <div className="create-session">
        <div className="create-form">
          <Field label="Name" htmlFor="sc-name" error={err('name')} hint="Becomes the assessment name; no dots. Example: response_quality">
            <input id="sc-name" className="input" value={s.name} disabled={!!initial} onChange={(e) => set({ name: e.target.value })} data-autofocus />
          </Field>
          <div className="row">
            <Field label="Type" htmlFor="sc-type" hint={s.type === 'feedback' ? 'A judgement of the response.' : 'The right answer; syncs into datasets.'}>
              <select id="sc-type" className="input" value={s.type} disabled={!!initial} onChange={(e) => set({ type: e.target.value as Schema['type'] })}>
                <option value="feedback">Feedback</option>
                <option value="expectation">Expectation</option>
              </select>
            </Field>
            <Field label="Answer" htmlFor="sc-kind">
              <select id="sc-kind" className="input" value={kind} disabled={!!initial} onChange={(e) => setKind(e.target.value as InputKind)}>
                {INPUT_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {KIND_LABELS[k]}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          <Field label="Title (the question)" htmlFor="sc-title" error={err('title')}>
            <input id="sc-title" className="input" value={s.title} onChange={(e) => set({ title: e.target.value })} placeholder="How good is the response?" />
          </Field>
          <Field label="Instruction" htmlFor="sc-instr" error={err('instruction')} hint={`${Array.from(s.instruction).length}/1000`}>
            <textarea id="sc-instr" className="textarea" rows={2} value={s.instruction} onChange={(e) => set({ instruction: e.target.value })} />
          </Field>
          {(kind === 'categorical' || kind === 'categorical_list') && (
            <Field label="Options (one per line)" htmlFor="sc-opts" error={err(`input.${kind}.options`) ?? Object.entries(shown).find(([k]) => k.startsWith(`input.${kind}.options`))?.[1]}>
              <textarea id="sc-opts" className="textarea" rows={4} value={optionsText} onChange={(e) => setOptions(e.target.value)} />
            </Field>
          )}
          {kind === 'numeric' && (
            <div className="row">
              <Field label="Minimum" htmlFor="sc-min" error={err('input.numeric')}>
                <input id="sc-min" className="input" type="number" value={s.input.numeric!.min_value ?? ''} onChange={(e) => set({ input: { numeric: { ...s.input.numeric!, min_value: numOrNull(e.target.value) } } })} />
              </Field>
              <Field label="Maximum" htmlFor="sc-max">
                <input id="sc-max" className="input" type="number" value={s.input.numeric!.max_value ?? ''} onChange={(e) => set({ input: { numeric: { ...s.input.numeric!, max_value: numOrNull(e.target.value) } } })} />
              </Field>
            </div>
          )}
          {kind === 'text' && (
            <Field label="Maximum length (optional)" htmlFor="sc-maxlen" error={err('input.text.max_length')}>
              <input id="sc-maxlen" className="input input-short" type="number" value={s.input.text!.max_length ?? ''} onChange={(e) => set({ input: { text: { max_length: numOrNull(e.target.value) } } })} />
            </Field>
          )}
          {kind === 'text_list' && (
            <div className="row">
              <Field label="Max entries (optional)" htmlFor="sc-maxcount" error={err('input.text_list.max_count')}>
                <input id="sc-maxcount" className="input" type="number" value={s.input.text_list!.max_count ?? ''} onChange={(e) => set({ input: { text_list: { ...s.input.text_list!, max_count: numOrNull(e.target.value) } } })} />
              </Field>
              <Field label="Max length each (optional)" htmlFor="sc-maxeach" error={err('input.text_list.max_length_each')}>
                <input id="sc-maxeach" className="input" type="number" value={s.input.text_list!.max_length_each ?? ''} onChange={(e) => set({ input: { text_list: { ...s.input.text_list!, max_length_each: numOrNull(e.target.value) } } })} />
              </Field>
            </div>
          )}
          {kind === 'pass_fail' && (
            <div className="row">
              <Field label="Positive label" htmlFor="sc-pos" error={err('input.pass_fail.positive_label') ?? err('input.pass_fail')}>
                <input id="sc-pos" className="input" value={s.input.pass_fail!.positive_label} onChange={(e) => set({ input: { pass_fail: { ...s.input.pass_fail!, positive_label: e.target.value } } })} />
              </Field>
              <Field label="Negative label" htmlFor="sc-neg" error={err('input.pass_fail.negative_label')}>
                <input id="sc-neg" className="input" value={s.input.pass_fail!.negative_label} onChange={(e) => set({ input: { pass_fail: { ...s.input.pass_fail!, negative_label: e.target.value } } })} />
              </Field>
            </div>
          )}
          <label className="check">
            <input type="checkbox" checked={s.enable_comment} onChange={(e) => set({ enable_comment: e.target.checked })} />
            <span>Let reviewers add a comment</span>
          </label>
          {serverErr && !serverErr.field && <InlineError>{serverErr.message}</InlineError>}
          {serverErr?.field && !['name', 'title', 'instruction'].includes(serverErr.field) && !serverErr.field.startsWith('input') && <InlineError>{serverErr.message}</InlineError>}
          {serverErr?.field?.startsWith('input') && !err(serverErr.field) && <InlineError>{serverErr.message}</InlineError>}
        </div>
        <div className="create-preview">
          <h3 className="section-label">Preview</h3>
          <p className="muted small">Exactly as reviewers will see it — try answering.</p>
          <div className="label-preview" data-testid="schema-preview">
            <SchemaWidget schema={{ ...s, name: s.name || 'preview' }} index={0} answer={preview} onChange={setPreview} error={previewError} />
          </div>
        </div>
      </div>
    </Dialog>
  );
}
