// Every route the web app calls, in one place. Paths follow docs/labeling-api.md and the MLflow
// routes of app/mlflowapi/routes.go.
import { api } from './client';
import type {
  AppNotification,
  AuditEvent,
  AuthConfig,
  Grant,
  PermissionLevel,
  TokenInfo,
  Dataset,
  DatasetRecord,
  Experiment,
  FullTrace,
  LabelingSession,
  Me,
  ReviewItem,
  ReviewSessionSummary,
  Schema,
  SessionItem,
  SessionStats,
  TraceInfo,
} from './types';
import { normalizeSchema, schemaInputForWire } from '../lib/schema';
import { asRetrieverDocs } from '../lib/otel';

const ML2 = '/api/2.0/mlflow';
const ML3 = '/api/3.0/mlflow';
const ME = '/api/2.0/managed-evals';
const AS = '/api/assay/v1';
const enc = encodeURIComponent;

// ---- identity
export const getAuthConfig = () => api.get<AuthConfig>(`${AS}/auth/config`);
export const getMe = () => api.get<Me>(`${AS}/me`);
export const logout = () => api.post<void>('/auth/logout', {});

// ---- experiments
export async function searchExperiments(): Promise<Experiment[]> {
  const out: Experiment[] = [];
  let token: string | undefined;
  do {
    const r = await api.post<{ experiments?: Experiment[]; next_page_token?: string }>(`${ML2}/experiments/search`, {
      max_results: 1000,
      page_token: token,
      view_type: 'ACTIVE_ONLY',
    });
    out.push(...(r.experiments ?? []));
    token = r.next_page_token || undefined;
  } while (token && out.length < 10000);
  return out;
}
export const createExperiment = (name: string) => api.post<{ experiment_id: string }>(`${ML2}/experiments/create`, { name });
export const renameExperiment = (experimentId: string, newName: string) =>
  api.post<unknown>(`${ML2}/experiments/update`, { experiment_id: experimentId, new_name: newName });
export const getExperiment = (experimentId: string) =>
  api.get<{ experiment: Experiment }>(`${ML2}/experiments/get`, { experiment_id: experimentId }).then((r) => r.experiment);

// ---- experiment permissions (MANAGE only)
const grantsPath = (experimentId: string) => `${AS}/experiments/${enc(experimentId)}/permissions`;
export const listGrants = (experimentId: string) => api.get<{ grants?: Grant[] }>(grantsPath(experimentId)).then((r) => r.grants ?? []);
export const grantPermission = (experimentId: string, email: string, permission: PermissionLevel) =>
  api.post<{ grants?: Grant[] }>(grantsPath(experimentId), { email, permission }).then((r) => r.grants ?? []);
export const revokeGrant = (experimentId: string, grantId: number) => api.del<unknown>(`${grantsPath(experimentId)}/${enc(String(grantId))}`);

// ---- notifications (mine)
export const listNotifications = (signal?: AbortSignal) =>
  api.get<{ notifications?: AppNotification[] }>(`${AS}/notifications`, undefined, signal).then((r) => r.notifications ?? []);
export const markNotificationRead = (id: number) => api.post<unknown>(`${AS}/notifications/${enc(String(id))}/read`, {});

// ---- API tokens (mine)
export const listTokens = () => api.get<{ tokens?: TokenInfo[] }>(`${AS}/tokens`).then((r) => r.tokens ?? []);
/** expires_at is RFC 3339, or left out for a token that never expires. The secret comes back once. */
export const createToken = (name: string, expiresAt?: string) =>
  api.post<{ token: string; token_info: TokenInfo }>(`${AS}/tokens`, expiresAt ? { name, expires_at: expiresAt } : { name });
export const revokeToken = (id: string) => api.del<unknown>(`${AS}/tokens/${enc(id)}`);

// ---- audit log (admins)
export const listAuditEvents = (limit: number, before?: number) =>
  api.get<{ events?: AuditEvent[] }>(`${AS}/audit`, { limit, before: before || undefined }).then((r) => r.events ?? []);

// ---- traces
export interface TraceSearch {
  experimentId: string;
  filter?: string;
  orderBy?: string[];
  pageToken?: string;
  maxResults?: number;
}
export function searchTraces(s: TraceSearch) {
  return api.post<{ traces?: TraceInfo[]; next_page_token?: string }>(`${ML3}/traces/search`, {
    locations: [{ type: 'MLFLOW_EXPERIMENT', mlflow_experiment: { experiment_id: s.experimentId } }],
    filter: s.filter || undefined,
    order_by: s.orderBy,
    page_token: s.pageToken,
    max_results: s.maxResults ?? 50,
  });
}
/** Counts the traces that match a filter by paging through ids (the API has no count route). */
export async function countTraces(experimentId: string, filter: string, cap = 100000): Promise<{ count: number; capped: boolean }> {
  let n = 0;
  let token: string | undefined;
  do {
    const r = await searchTraces({ experimentId, filter, pageToken: token, maxResults: 500 });
    n += r.traces?.length ?? 0;
    token = r.next_page_token || undefined;
  } while (token && n < cap);
  return { count: n, capped: !!token };
}
export const getTrace = (traceId: string) => api.get<{ trace: FullTrace }>(`${ML3}/traces/get`, { trace_id: traceId }).then((r) => r.trace);

// ---- label schemas (MLflow OSS routes; answers normalized to one shape)
export async function listSchemas(experimentId: string): Promise<Schema[]> {
  const r = await api.get<{ label_schemas?: unknown[] }>(`${ML3}/label-schemas/list`, { experiment_id: experimentId, max_results: 1000 });
  return (r.label_schemas ?? []).map(normalizeSchema);
}
export async function createSchema(experimentId: string, s: Schema, overwrite = false): Promise<Schema> {
  const r = await api.post<{ label_schema: unknown }>(`${ML3}/label-schemas/create`, {
    experiment_id: experimentId,
    name: s.name,
    type: s.type.toUpperCase(),
    title: s.title,
    instruction: s.instruction,
    enable_comment: s.enable_comment,
    input: schemaInputForWire(s.input),
    overwrite,
  });
  return normalizeSchema(r.label_schema);
}
export async function updateSchema(schemaId: string, s: Schema): Promise<Schema> {
  const r = await api.patch<{ label_schema: unknown }>(`${ML3}/label-schemas/update`, {
    schema_id: schemaId,
    title: s.title,
    instruction: s.instruction,
    enable_comment: s.enable_comment,
    input: schemaInputForWire(s.input),
  });
  return normalizeSchema(r.label_schema);
}
export const deleteSchema = (schemaId: string) => api.del<unknown>(`${ML3}/label-schemas/delete`, { schema_id: schemaId });

// ---- review apps and sessions (managed-evals resource model)
export interface ReviewApp {
  review_app_id: string;
  experiment_id: string;
  labeling_schemas?: unknown[];
}
export const getOrCreateReviewApp = (experimentId: string) => api.post<ReviewApp>(`${ME}/review-apps`, { experiment_id: experimentId });

export interface CreateSessionInput {
  name: string;
  assigned_users: string[];
  labeling_schemas: { name: string }[];
  reviews_per_item: number | 'all';
}
export async function createSession(experimentId: string, s: CreateSessionInput): Promise<LabelingSession> {
  const app = await getOrCreateReviewApp(experimentId);
  return api.post<LabelingSession>(`${ME}/review-apps/${enc(app.review_app_id)}/labeling-sessions`, s);
}
export const deleteSession = (s: LabelingSession) => api.del<unknown>(`${ME}/review-apps/${enc(s.review_app_id)}/labeling-sessions/${enc(s.labeling_session_id)}`);
export async function listSessionItems(s: LabelingSession): Promise<SessionItem[]> {
  const out: SessionItem[] = [];
  let token: string | undefined;
  do {
    const r = await api.get<{ items?: SessionItem[]; next_page_token?: string }>(
      `${ME}/review-apps/${enc(s.review_app_id)}/labeling-sessions/${enc(s.labeling_session_id)}/items`,
      { page_size: 1000, page_token: token },
    );
    out.push(...(r.items ?? []));
    token = r.next_page_token || undefined;
  } while (token && out.length < 100000);
  return out;
}

// ---- Assay operations
export const listSessions = (experimentId: string) =>
  api.get<{ sessions?: LabelingSession[] }>(`${AS}/experiments/${enc(experimentId)}/sessions`).then((r) => r.sessions ?? []);
export const getSession = (sid: string) => api.get<LabelingSession>(`${AS}/sessions/${enc(sid)}`);
export type AddTraces = { trace_ids: string[] } | { filter: string };
export const addTracesToSession = (sid: string, body: AddTraces) =>
  api.post<{ added: number; already_present: number; total_items: number }>(`${AS}/sessions/${enc(sid)}/traces`, body);
export const setAssignedUsers = (sid: string, emails: string[]) =>
  api.put<LabelingSession>(`${AS}/sessions/${enc(sid)}/assigned-users`, { assigned_users: emails });
export const syncSession = (sid: string, datasetName: string) =>
  api.post<{ dataset_id: string; inserted: number; updated: number }>(`${AS}/sessions/${enc(sid)}/sync`, { dataset_name: datasetName });
export const sessionStats = (sid: string) => api.get<SessionStats>(`${AS}/sessions/${enc(sid)}/stats`);
export const sessionExportUrl = (sid: string) => `${AS}/sessions/${enc(sid)}/export.jsonl`;

// ---- Review App
/** My sessions; progress is read as documented ({mine_done, mine_skipped}) or as served ({done, skipped}). */
export const myReviewSessions = () =>
  api.get<{ sessions?: ReviewSessionSummary[] }>(`${AS}/review/sessions`).then((r) =>
    (r.sessions ?? []).map((s) => {
      const p = (s.progress ?? {}) as unknown as Record<string, number>;
      return { ...s, progress: { mine_done: p.mine_done ?? p.done ?? 0, mine_skipped: p.mine_skipped ?? p.skipped ?? 0, total: p.total ?? 0, remaining: p.remaining ?? 0 } };
    }),
  );
export const reviewNext = (sid: string, afterItemId?: string) =>
  api
    .post<{ item: ReviewItem | null }>(`${AS}/review/sessions/${enc(sid)}/next`, afterItemId ? { after_item_id: afterItemId } : {})
    .then((r) => ({ item: r.item ? normalizeReviewItem(r.item) : null }));

/** Retrieved documents arrive as MLflow documents ({page_content, metadata: {doc_uri}}) or flat. */
function normalizeReviewItem(it: ReviewItem): ReviewItem {
  const docs = (it.trace?.retriever_documents ?? []) as unknown[];
  return { ...it, trace: { ...it.trace, retriever_documents: asRetrieverDocs(docs) ?? [] } };
}
export const reviewItem = (sid: string, itemId: string) =>
  api.get<{ item: ReviewItem }>(`${AS}/review/sessions/${enc(sid)}/items/${enc(itemId)}`).then((r) => normalizeReviewItem(r.item));
export const reviewItems = (sid: string) =>
  api.get<{ items?: { item_id: string; position: number; my_state?: string | null }[] }>(`${AS}/review/sessions/${enc(sid)}/items`).then((r) => r.items ?? []);
export const submitAnswers = (sid: string, itemId: string, answers: Record<string, { value: unknown; comment?: string }>, timeSpentMs?: number) =>
  api.post<{ item_state: string; my_state: string }>(`${AS}/review/sessions/${enc(sid)}/items/${enc(itemId)}/submit`, {
    answers,
    time_spent_ms: timeSpentMs,
  });
export const skipItem = (sid: string, itemId: string) =>
  api.post<{ item_state: string; my_state: string }>(`${AS}/review/sessions/${enc(sid)}/items/${enc(itemId)}/skip`, {});

// ---- datasets
export async function searchDatasets(experimentId: string): Promise<Dataset[]> {
  const r = await api.post<{ datasets?: Dataset[] }>(`${ML3}/datasets/search`, { experiment_ids: [experimentId], max_results: 1000 });
  return r.datasets ?? [];
}
export const getDataset = (id: string) => api.get<{ dataset: Dataset }>(`${ML3}/datasets/${enc(id)}`).then((r) => r.dataset);
export async function getDatasetRecords(id: string, pageToken?: string): Promise<{ records: DatasetRecord[]; next?: string }> {
  const r = await api.get<{ records?: string; next_page_token?: string }>(`${ML3}/datasets/${enc(id)}/records`, { max_results: 200, page_token: pageToken });
  let records: DatasetRecord[] = [];
  if (r.records) {
    try {
      records = JSON.parse(r.records) as DatasetRecord[];
    } catch {
      records = [];
    }
  }
  return { records, next: r.next_page_token || undefined };
}
export const datasetJsonlUrl = (id: string) => `${AS}/datasets/${enc(id)}/records.jsonl`;

/** Trace infos (previews, assessments) for many ids, in chunks. */
export async function batchGetTraceInfos(ids: string[]): Promise<TraceInfo[]> {
  const out: TraceInfo[] = [];
  for (let i = 0; i < ids.length; i += 100) {
    const r = await api.post<{ trace_infos?: TraceInfo[] }>(`${ML3}/traces/batchGetInfos`, { trace_ids: ids.slice(i, i + 100) });
    out.push(...(r.trace_infos ?? []));
  }
  return out;
}
export const addRecordsToSession = (sid: string, datasetId: string) =>
  api.post<{ added: number; already_present: number; total_items: number }>(`${AS}/sessions/${enc(sid)}/records`, { dataset_id: datasetId });
