// Review App focus mode: one item at a time, the conversation on the left, one widget per
// schema on the right, keyboard-first (digits, Enter, J/K, S, ?). Panes have fixed sizes so
// nothing jumps between items; items are cached and the next one prefetched so switching is
// instant.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { ApiError, errorMessage } from '../api/client';
import { myReviewSessions, reviewItem, reviewItems, reviewNext, skipItem, submitAnswers } from '../api/endpoints';
import type { ReviewItem, Schema } from '../api/types';
import { TraceContent } from '../components/Content';
import { applyDigit, cleanAnswer, digitOptions, SchemaWidget, type Answer } from '../components/SchemaWidget';
import { Badge, Button, Dialog, EmptyState, ErrorState, ProgressBar, Spinner, stateTone, useAsync } from '../components/ui';
import { isEmptyAnswer, normalizeSchema, schemaFromField, validateAnswer } from '../lib/schema';
import { Link, navigate, setQuery, useLocation } from '../router';

type Answers = Record<string, Answer>;
const blank: Answer = { value: undefined, comment: '' };

function initialAnswers(item: ReviewItem): Answers {
  const out: Answers = {};
  for (const [k, a] of Object.entries(item.my_answers ?? {})) out[k] = { value: a.value, comment: a.comment ?? '' };
  return out;
}

export default function ReviewFocus({ sessionId }: { sessionId: string }) {
  const { search } = useLocation();
  const itemId = search.get('item');
  const summary = useAsync(() => myReviewSessions().then((l) => l.find((s) => s.labeling_session_id === sessionId) ?? null).catch(() => null), [sessionId]);
  const list = useAsync(() => reviewItems(sessionId).then((l) => [...l].sort((a, b) => a.position - b.position)), [sessionId]);
  const cache = useRef(new Map<string, ReviewItem>());
  const drafts = useRef(new Map<string, Answers>());
  const [item, setItem] = useState<ReviewItem | null>(null);
  const [loadErr, setLoadErr] = useState<unknown>(null);
  const [allDone, setAllDone] = useState(false);
  const [answers, setAnswers] = useState<Answers>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formErr, setFormErr] = useState('');
  const [busy, setBusy] = useState(false);
  const [active, setActive] = useState(0);
  const [help, setHelp] = useState(false);
  const started = useRef(performance.now());
  const rootRef = useRef<HTMLDivElement>(null);

  const schemas: Schema[] = useMemo(() => (item?.schemas ?? []).map(normalizeSchema), [item]);

  const fetchItem = useCallback(
    async (id: string, fresh = false) => {
      const c = cache.current.get(id);
      if (c && !fresh) return c;
      const it = await reviewItem(sessionId, id);
      cache.current.set(id, it);
      return it;
    },
    [sessionId],
  );

  const show = useCallback((it: ReviewItem) => {
    // A new item starts with no field focused, so digits and J/K work at once.
    const ae = document.activeElement as HTMLElement | null;
    if (ae && ae !== document.body && rootRef.current?.querySelector('.review-panes')?.contains(ae)) ae.blur();
    setItem(it);
    setAllDone(false);
    setLoadErr(null);
    setAnswers(drafts.current.get(it.item_id) ?? initialAnswers(it));
    setErrors({});
    setFormErr('');
    setActive(0);
    started.current = performance.now();
  }, []);

  // Load the item named in the URL, or ask the server for my next one.
  useEffect(() => {
    let stop = false;
    (async () => {
      try {
        if (itemId) {
          const c = cache.current.get(itemId);
          if (c) show(c); // instant from cache; no spinner, no layout change
          const it = await fetchItem(itemId, !!c);
          if (!stop && (!c || c !== it)) {
            if (!c) show(it);
            else setItem((cur) => (cur?.item_id === it.item_id ? it : cur));
          }
        } else {
          const r = await reviewNext(sessionId);
          if (stop) return;
          if (r.item) {
            cache.current.set(r.item.item_id, r.item);
            navigate(`/review/${encodeURIComponent(sessionId)}?item=${encodeURIComponent(r.item.item_id)}`, { replace: true });
          } else {
            setItem(null);
            setAllDone(true);
          }
        }
      } catch (e) {
        if (!stop) setLoadErr(e);
      }
    })();
    return () => {
      stop = true;
    };
  }, [itemId, sessionId, fetchItem, show]);

  // Prefetch the neighbours so J/K are instant.
  useEffect(() => {
    if (!item || !list.data) return;
    const i = list.data.findIndex((x) => x.item_id === item.item_id);
    for (const j of [i + 1, i - 1]) {
      const n = list.data[j];
      if (n && !cache.current.has(n.item_id)) fetchItem(n.item_id).catch(() => undefined);
    }
  }, [item, list.data, fetchItem]);

  // Keep unsaved answers per item, so going back and forth keeps them.
  useEffect(() => {
    if (item) drafts.current.set(item.item_id, answers);
  }, [answers, item]);

  const go = (id: string) => setQuery({ item: id }, { replace: false });
  const idx = item && list.data ? list.data.findIndex((x) => x.item_id === item.item_id) : -1;
  // With no item shown (all done), K goes back to the last item.
  const prev = idx > 0 ? list.data![idx - 1] : !item && list.data?.length ? list.data[list.data.length - 1] : undefined;
  const next = idx >= 0 && list.data && idx < list.data.length - 1 ? list.data[idx + 1] : undefined;

  /** J: the next item I have seen, or past the end of those, the server's next item for me. */
  const goNext = () => {
    if (next) go(next.item_id);
    else if (item && (item.my_state === 'COMPLETED' || item.my_state === 'SKIPPED') && !busy) void advance(item.item_id).catch((e) => setFormErr(errorMessage(e)));
  };
  const canNext = !!next || (!!item && (item.my_state === 'COMPLETED' || item.my_state === 'SKIPPED'));

  const advance = async (after: string) => {
    const r = await reviewNext(sessionId, after);
    list.reload();
    summary.reload();
    if (r.item) {
      cache.current.set(r.item.item_id, r.item);
      go(r.item.item_id);
    } else {
      setItem(null);
      setAllDone(true);
      setQuery({ item: null }, { replace: false });
    }
  };

  const submit = async () => {
    if (!item || busy) return;
    const e: Record<string, string> = {};
    const body: Record<string, { value: unknown; comment?: string }> = {};
    for (const s of schemas) {
      const a = answers[s.name] ?? blank;
      const c = cleanAnswer(s, a);
      if (isEmptyAnswer(c.value)) continue;
      const msg = validateAnswer(s.input, c.value);
      if (msg) e[s.name] = msg;
      else body[s.name] = c;
    }
    setErrors(e);
    if (Object.keys(e).length) {
      setFormErr('');
      focusQuestion(schemas.findIndex((s) => e[s.name]));
      return;
    }
    if (Object.keys(body).length === 0) {
      setFormErr('Answer at least one question, or press S to skip this item.');
      return;
    }
    setBusy(true);
    setFormErr('');
    try {
      await submitAnswers(sessionId, item.item_id, body, Math.round(performance.now() - started.current));
      drafts.current.delete(item.item_id);
      cache.current.delete(item.item_id);
      await advance(item.item_id);
    } catch (err) {
      if (err instanceof ApiError && err.status === 400) {
        const name = schemaFromField(err.field, schemas.map((s) => s.name));
        if (name) {
          setErrors({ [name]: err.message });
          focusQuestion(schemas.findIndex((s) => s.name === name));
        } else setFormErr(err.message);
      } else setFormErr(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const skip = async () => {
    if (!item || busy) return;
    setBusy(true);
    try {
      await skipItem(sessionId, item.item_id);
      cache.current.delete(item.item_id);
      await advance(item.item_id);
    } catch (err) {
      setFormErr(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const focusQuestion = (i: number) => {
    if (i < 0) return;
    setActive(i);
    const q = rootRef.current?.querySelectorAll<HTMLElement>('.question')[i];
    q?.scrollIntoView({ block: 'nearest' });
  };

  // Keyboard shortcuts.
  const handler = useRef<(e: KeyboardEvent) => void>(() => undefined);
  handler.current = (e: KeyboardEvent) => {
    if (help) return;
    const t = e.target as HTMLElement;
    const tag = t.tagName;
    const typing = tag === 'TEXTAREA' || (tag === 'INPUT' && !['radio', 'checkbox'].includes((t as HTMLInputElement).type)) || t.isContentEditable || tag === 'SELECT';
    if (document.querySelector('.dialog-backdrop')) return;
    if (e.key === 'Escape' && typing) {
      t.blur();
      return;
    }
    if (e.key === 'Enter') {
      if (tag === 'TEXTAREA' && !(e.ctrlKey || e.metaKey)) return;
      if (tag === 'BUTTON' || tag === 'A' || tag === 'SUMMARY') return;
      e.preventDefault();
      void submit();
      return;
    }
    if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
    if (/^[0-9]$/.test(e.key)) {
      const order = schemas.map((_, i) => i);
      const start = order.slice(active).concat(order.slice(0, active)).find((i) => digitOptions(schemas[i]));
      if (start === undefined) return;
      const s = schemas[start];
      const v = applyDigit(s, (answers[s.name] ?? blank).value, e.key);
      if (v === undefined) return;
      e.preventDefault();
      setAnswers((a) => ({ ...a, [s.name]: { ...(a[s.name] ?? blank), value: v } }));
      setErrors((x) => ({ ...x, [s.name]: '' }));
      const d = digitOptions(s);
      if (d && !d.multi && start + 1 < schemas.length) {
        // Move on to the next question; a typed one gets the focus, so the keyboard flows on.
        const nextQ = start + 1;
        setActive(nextQ);
        if (!digitOptions(schemas[nextQ])) {
          window.requestAnimationFrame(() => rootRef.current?.querySelectorAll<HTMLElement>('.question')[nextQ]?.querySelector<HTMLElement>('textarea, input:not([type=radio]):not([type=checkbox])')?.focus());
        }
      } else setActive(start);
      return;
    }
    switch (e.key) {
      case 'j':
      case 'J':
      case 'ArrowRight':
        if (e.key === 'ArrowRight' && tag === 'INPUT') return;
        e.preventDefault();
        goNext();
        break;
      case 'k':
      case 'K':
      case 'ArrowLeft':
        if (e.key === 'ArrowLeft' && tag === 'INPUT') return;
        if (prev) {
          e.preventDefault();
          go(prev.item_id);
        }
        break;
      case 's':
      case 'S':
        e.preventDefault();
        void skip();
        break;
      case '?':
        e.preventDefault();
        setHelp(true);
        break;
    }
  };
  useEffect(() => {
    const f = (e: KeyboardEvent) => handler.current(e);
    window.addEventListener('keydown', f);
    return () => window.removeEventListener('keydown', f);
  }, []);

  const s = summary.data;
  const doneCount = list.data?.filter((x) => x.my_state === 'COMPLETED' || x.my_state === 'SKIPPED').length ?? 0;
  const total = item?.total ?? list.data?.length ?? s?.progress.total ?? 0;

  return (
    <div className="review" ref={rootRef} data-item-id={item?.item_id ?? ''}>
      <div className="review-bar">
        <div className="review-bar-left">
          <Link to="/review" className="btn btn-ghost btn-small">
            ← My sessions
          </Link>
          <div className="review-title" title={s?.name}>
            {s?.name ?? 'Review'}
          </div>
        </div>
        <div className="review-progress">
          <ProgressBar value={doneCount} max={Math.max(total, 1)} label="Your progress" />
          <span className="muted small nowrap" data-testid="review-position">
            {item ? `Item ${item.position + 1} of ${total} · ${doneCount} done` : `${doneCount} of ${total} done`}
          </span>
        </div>
        <div className="review-bar-right">
          <Button variant="ghost" className="btn-small" disabled={!prev} onClick={() => prev && go(prev.item_id)} title="Previous item (K)">
            ← Prev <kbd>K</kbd>
          </Button>
          <Button variant="ghost" className="btn-small" disabled={!canNext} onClick={goNext} title="Next item (J)">
            Next <kbd>J</kbd> →
          </Button>
          <Button variant="ghost" className="btn-small" onClick={() => setHelp(true)} title="Keyboard shortcuts (?)">
            <kbd>?</kbd>
          </Button>
        </div>
      </div>
      {loadErr ? (
        <div className="review-state">
          <ErrorState error={loadErr} onRetry={() => setQuery({ item: itemId })} />
        </div>
      ) : allDone ? (
        <div className="review-state">
          <EmptyState
            title="All done — nothing left for you in this session"
            action={
              <>
                <Link className="btn btn-primary" to="/review">
                  Back to my sessions
                </Link>
                {list.data && list.data[0] && (
                  <Button onClick={() => go(list.data![0].item_id)}>Go back to item 1</Button>
                )}
              </>
            }
          >
            Thank you! You can still go back to change an answer.
          </EmptyState>
        </div>
      ) : !item ? (
        <div className="review-state">
          <Spinner label="Loading the next item…" />
        </div>
      ) : (
        <div className="review-panes">
          <section className="pane pane-content" aria-label="Conversation">
            <div className="pane-head">
              <Badge tone={stateTone(item.my_state ?? item.state)}>{(item.my_state ?? item.state ?? '').toLowerCase().replace('_', ' ') || 'pending'}</Badge>
              {item.trace.trace_id && s?.experiment_id && (
                <a className="small" href={`/experiments/${encodeURIComponent(s.experiment_id)}/traces?trace=${encodeURIComponent(item.trace.trace_id)}`} target="_blank" rel="noopener noreferrer">
                  View full trace ↗
                </a>
              )}
            </div>
            <div className="pane-scroll" key={item.item_id}>
              <TraceContent inputs={item.trace.inputs} outputs={item.trace.outputs} docs={item.trace.retriever_documents} />
            </div>
          </section>
          <section className="pane pane-questions" aria-label="Questions">
            <form
              className="questions"
              onSubmit={(e) => {
                e.preventDefault();
                void submit();
              }}
            >
              <div className="pane-scroll" key={item.item_id}>
                {schemas.map((sc, i) => (
                  <div key={sc.name} onFocusCapture={() => setActive(i)}>
                    <SchemaWidget
                      schema={sc}
                      index={i}
                      answer={answers[sc.name] ?? blank}
                      active={i === active && !!digitOptions(sc)}
                      error={errors[sc.name] || null}
                      onChange={(a) => {
                        setAnswers((x) => ({ ...x, [sc.name]: a }));
                        if (errors[sc.name]) setErrors((x) => ({ ...x, [sc.name]: '' }));
                        if (formErr) setFormErr('');
                      }}
                    />
                  </div>
                ))}
                {schemas.length === 0 && <div className="muted">This session has no questions.</div>}
              </div>
              <div className="questions-footer">
                <div className="form-error" role="alert">
                  {formErr}
                </div>
                <Button onClick={() => void skip()} disabled={busy} title="Skip (S)">
                  Skip <kbd>S</kbd>
                </Button>
                <Button variant="primary" type="submit" disabled={busy} title="Submit (Enter)">
                  {busy ? 'Saving…' : item.my_state === 'COMPLETED' ? 'Update' : 'Submit'} <kbd>↵</kbd>
                </Button>
              </div>
            </form>
          </section>
        </div>
      )}
      {help && (
        <Dialog title="Keyboard shortcuts" onClose={() => setHelp(false)}>
          <table className="kv shortcuts">
            <tbody>
              <tr><th><kbd>1</kbd>–<kbd>9</kbd>, <kbd>0</kbd></th><td>Pick an option of the highlighted question (toggles for multiple choice); the next question is highlighted after a single choice</td></tr>
              <tr><th><kbd>Tab</kbd></th><td>Move between questions and fields</td></tr>
              <tr><th><kbd>Enter</kbd></th><td>Submit and go to the next item (<kbd>Ctrl</kbd>+<kbd>Enter</kbd> inside a text box)</td></tr>
              <tr><th><kbd>J</kbd> / <kbd>K</kbd></th><td>Next / previous item</td></tr>
              <tr><th><kbd>S</kbd></th><td>Skip this item</td></tr>
              <tr><th><kbd>Esc</kbd></th><td>Leave a text box (then shortcuts work again)</td></tr>
              <tr><th><kbd>?</kbd></th><td>This cheat sheet</td></tr>
            </tbody>
          </table>
        </Dialog>
      )}
    </div>
  );
}
