// API tokens: expiry choices of the create dialog, the state of a token, and how to use one.
import type { TokenInfo } from '../api/types';

export type ExpiryChoice = '7d' | '30d' | '90d' | '365d' | 'never' | 'custom';

export const EXPIRY_CHOICES: { value: ExpiryChoice; label: string }[] = [
  { value: '7d', label: '7 days' },
  { value: '30d', label: '30 days' },
  { value: '90d', label: '90 days' },
  { value: '365d', label: '1 year' },
  { value: 'never', label: 'No expiry' },
  { value: 'custom', label: 'On a date…' },
];

const DAY = 86_400_000;

/**
 * The expires_at to send (RFC 3339), undefined for no expiry, or an error message.
 * A custom date (yyyy-mm-dd, from <input type=date>) expires at the end of that day, local time.
 */
export function expiryFor(choice: ExpiryChoice, customDate: string, now = new Date()): { expiresAt?: string; error?: string } {
  if (choice === 'never') return {};
  if (choice === 'custom') {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(customDate.trim());
    if (!m) return { error: 'Pick the date the token stops working.' };
    const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59);
    if (Number.isNaN(d.getTime()) || d.getMonth() !== Number(m[2]) - 1) return { error: 'That is not a date.' };
    if (d.getTime() <= now.getTime()) return { error: 'The expiry date must be in the future.' };
    return { expiresAt: d.toISOString() };
  }
  const days = Number(choice.replace('d', ''));
  return { expiresAt: new Date(now.getTime() + days * DAY).toISOString() };
}

export function validateTokenName(name: string): string | null {
  const n = name.trim();
  if (!n) return 'Give the token a name, e.g. the script or machine that will use it.';
  if (Array.from(n).length > 100) return 'At most 100 characters.';
  return null;
}

export type TokenState = 'active' | 'expired' | 'revoked';

export function tokenState(t: TokenInfo, now = Date.now()): TokenState {
  if (t.revoked_at) return 'revoked';
  if (t.expires_at && new Date(t.expires_at).getTime() <= now) return 'expired';
  return 'active';
}

/** Shell lines that point the MLflow client (and other scripts) at this server with the token. */
export function mlflowUsage(secret: string, origin: string): string {
  return `export MLFLOW_TRACKING_URI=${origin}\nexport MLFLOW_TRACKING_TOKEN=${secret}`;
}
