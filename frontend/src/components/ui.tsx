// The few building blocks every page uses, so all pages look and behave the same.
import { useCallback, useEffect, useRef, useState, type ReactNode, type ComponentProps } from 'react';
import { errorMessage } from '../api/client';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

export function Button({ variant = 'secondary', className = '', ...rest }: ComponentProps<'button'> & { variant?: Variant }) {
  return <button type="button" className={`btn btn-${variant} ${className}`} {...rest} />;
}

export function Spinner({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <div className="state-title">{title}</div>
      {children && <div className="state-body">{children}</div>}
      {action && <div className="state-action">{action}</div>}
    </div>
  );
}

export function ErrorState({ error, onRetry, title = 'Something went wrong' }: { error: unknown; onRetry?: () => void; title?: string }) {
  return (
    <div className="state state-error" role="alert">
      <div className="state-title">{title}</div>
      <div className="state-body">{errorMessage(error)}</div>
      {onRetry && (
        <div className="state-action">
          <Button onClick={onRetry}>Try again</Button>
        </div>
      )}
    </div>
  );
}

export function InlineError({ children }: { children: ReactNode }) {
  if (!children) return null;
  return (
    <div className="inline-error" role="alert">
      {children}
    </div>
  );
}

export function Badge({ children, tone = 'neutral', title }: { children: ReactNode; tone?: 'neutral' | 'ok' | 'warn' | 'error' | 'info' | 'accent'; title?: string }) {
  return (
    <span className={`badge badge-${tone}`} title={title}>
      {children}
    </span>
  );
}

export function stateTone(s: string | undefined | null): 'neutral' | 'ok' | 'warn' | 'error' | 'info' {
  switch (s) {
    case 'OK':
    case 'COMPLETED':
      return 'ok';
    case 'ERROR':
      return 'error';
    case 'IN_PROGRESS':
      return 'info';
    case 'SKIPPED':
      return 'warn';
    default:
      return 'neutral';
  }
}

export function ProgressBar({ value, max, label }: { value: number; max: number; label?: string }) {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={max} aria-valuenow={value} aria-label={label ?? 'Progress'}>
      <div className="progress-fill" style={{ width: `${pct}%` }} />
    </div>
  );
}

/** A modal dialog: focus moves in, Tab stays in, Escape closes, focus returns on close. */
export function Dialog({
  title,
  onClose,
  children,
  footer,
  wide,
  className = '',
  headerExtra,
  closeOnBackdrop = true,
}: {
  title: ReactNode;
  onClose: () => void;
  children: ReactNode;
  footer?: ReactNode;
  wide?: boolean | 'xl';
  className?: string;
  headerExtra?: ReactNode;
  /** False where a stray click must not lose what the dialog shows (a secret shown once). */
  closeOnBackdrop?: boolean;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const prev = document.activeElement as HTMLElement | null;
    const el = ref.current;
    const first = el?.querySelector<HTMLElement>('[data-autofocus], input, textarea, select, button:not(.dialog-close)');
    (first ?? el)?.focus();
    return () => prev?.focus?.();
  }, []);
  const onKey = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') {
      e.stopPropagation();
      onClose();
    }
    if (e.key === 'Tab' && ref.current) {
      const f = Array.from(ref.current.querySelectorAll<HTMLElement>('a[href], button:not([disabled]), input, textarea, select, [tabindex]:not([tabindex="-1"])')).filter(
        (x) => x.offsetParent !== null || x === document.activeElement,
      );
      if (f.length === 0) return;
      const i = f.indexOf(document.activeElement as HTMLElement);
      if (e.shiftKey && i <= 0) {
        e.preventDefault();
        f[f.length - 1].focus();
      } else if (!e.shiftKey && i === f.length - 1) {
        e.preventDefault();
        f[0].focus();
      }
    }
  };
  return (
    <div className="dialog-backdrop" onMouseDown={(e) => closeOnBackdrop && e.target === e.currentTarget && onClose()}>
      <div
        ref={ref}
        className={`dialog ${wide === 'xl' ? 'dialog-xl' : wide ? 'dialog-wide' : ''} ${className}`}
        role="dialog"
        aria-modal="true"
        aria-label={typeof title === 'string' ? title : undefined}
        tabIndex={-1}
        onKeyDown={onKey}
      >
        <div className="dialog-header">
          <h2>{title}</h2>
          <div className="dialog-header-extra">{headerExtra}</div>
          <button type="button" className="dialog-close" aria-label="Close" onClick={onClose}>
            ×
          </button>
        </div>
        <div className="dialog-body">{children}</div>
        {footer && <div className="dialog-footer">{footer}</div>}
      </div>
    </div>
  );
}

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
  setData: (d: T) => void;
}

/** Runs an async loader when deps change; keeps the last data while reloading. */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[]): Async<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    setError(null);
    load(ac.signal).then(
      (d) => {
        if (!ac.signal.aborted) {
          setData(d);
          setLoading(false);
        }
      },
      (e) => {
        if (!ac.signal.aborted) {
          setError(e);
          setLoading(false);
        }
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data, error, loading, reload, setData };
}

/** Shows a short message at the bottom of the screen. */
let toastSetter: ((t: { text: string; tone: 'ok' | 'error' } | null) => void) | null = null;
export function toast(text: string, tone: 'ok' | 'error' = 'ok') {
  toastSetter?.({ text, tone });
}
export function Toaster() {
  const [t, setT] = useState<{ text: string; tone: 'ok' | 'error' } | null>(null);
  useEffect(() => {
    toastSetter = setT;
    return () => {
      toastSetter = null;
    };
  }, []);
  useEffect(() => {
    if (!t) return;
    const id = window.setTimeout(() => setT(null), 4000);
    return () => window.clearTimeout(id);
  }, [t]);
  if (!t) return null;
  return (
    <div className={`toast toast-${t.tone}`} role="status" aria-live="polite">
      {t.text}
    </div>
  );
}

export function Field({ label, hint, error, children, htmlFor }: { label: ReactNode; hint?: ReactNode; error?: string | null; children: ReactNode; htmlFor?: string }) {
  return (
    <div className={`field ${error ? 'field-invalid' : ''}`}>
      <label className="field-label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {hint && !error && <div className="field-hint">{hint}</div>}
      {error && (
        <div className="field-error" role="alert">
          {error}
        </div>
      )}
    </div>
  );
}
