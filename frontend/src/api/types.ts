// Wire types of the routes the web app calls (MLflow-compatible, managed-evals and Assay's own).

export interface Me {
  user: { id: number; email: string; display_name: string; admin: boolean };
  auth_mode: string;
  via: string;
  notice?: string;
}

export interface AuthConfig {
  auth_mode: string;
  login_url: string;
  logout_url: string;
  local_mode_notice?: string;
}

export interface Experiment {
  experiment_id: string;
  name: string;
  lifecycle_stage?: string;
  creation_time?: number;
  last_update_time?: number;
  tags?: { key: string; value: string }[];
}

export type PermissionLevel = 'READ' | 'EDIT' | 'MANAGE';

/** One row of an experiment's access list (GET /api/assay/v1/experiments/:id/permissions). */
export interface Grant {
  grant_id: number;
  experiment_id: string;
  /** Absent while the grant waits for its email's first sign-in. */
  user_id?: number | null;
  /** Empty for grants made to a user id (the experiment's creator). */
  email: string;
  permission: PermissionLevel;
  /** "grant" (given here), "creator", or "reviewer" (from a session's Share dialog). */
  reason: string;
  session_id?: string;
  created_at: number;
}

export interface AppNotification {
  id: number;
  kind: string;
  message: string;
  /** An absolute URL, e.g. https://assay.example.com/review/<session id>. */
  link: string;
  created_at: number;
  read_at?: number | null;
}

/** An API token's metadata (never its secret). Times are RFC 3339. */
export interface TokenInfo {
  id: string;
  user_id: number;
  name: string;
  created_at: string;
  expires_at?: string | null;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

export interface AuditEvent {
  id: number;
  at: number;
  actor: string;
  action: string;
  object_type: string;
  object_id: string;
  before?: unknown;
  after?: unknown;
}

export interface AssessmentWire {
  assessment_id: string;
  assessment_name: string;
  trace_id: string;
  span_id?: string;
  source?: { source_type: string; source_id: string };
  create_time?: string;
  last_update_time?: string;
  feedback?: { value?: unknown; error?: { error_code?: string; error_message?: string } };
  expectation?: { value?: unknown; serialized_value?: { serialization_format: string; value: string } };
  rationale?: string;
  metadata?: Record<string, string>;
  overrides?: string;
  valid?: boolean;
}

export interface TraceInfo {
  trace_id: string;
  client_request_id?: string;
  trace_location?: { type: string; mlflow_experiment?: { experiment_id: string } };
  request_preview: string;
  response_preview: string;
  request_time: string;
  execution_duration: string;
  state: string;
  trace_metadata?: Record<string, string>;
  tags?: Record<string, string>;
  assessments?: AssessmentWire[];
}

export interface AnyValue {
  string_value?: string;
  bool_value?: boolean;
  int_value?: number | string;
  double_value?: number;
  array_value?: { values?: AnyValue[] };
  kvlist_value?: { values?: KeyValue[] };
  bytes_value?: string;
}
export interface KeyValue {
  key: string;
  value?: AnyValue;
}

export interface OTelSpan {
  trace_id: string;
  span_id: string;
  parent_span_id?: string;
  name?: string;
  kind?: string;
  start_time_unix_nano?: number | string;
  end_time_unix_nano?: number | string;
  attributes?: KeyValue[];
  events?: { name?: string; time_unix_nano?: number | string; attributes?: KeyValue[] }[];
  status?: { code?: string; message?: string };
}

export interface FullTrace {
  trace_info: TraceInfo;
  spans: OTelSpan[];
}

/** Input of a label schema, normalized to Databricks' six kinds. */
export interface LabelInput {
  categorical?: { options: string[] };
  categorical_list?: { options: string[] };
  numeric?: { min_value?: number | null; max_value?: number | null };
  text?: { max_length?: number | null };
  text_list?: { max_length_each?: number | null; max_count?: number | null };
  pass_fail?: { positive_label: string; negative_label: string };
}

/** A label schema in one shape, whichever route it came from. */
export interface Schema {
  schema_id?: string;
  name: string;
  type: 'feedback' | 'expectation';
  title: string;
  instruction: string;
  enable_comment: boolean;
  input: LabelInput;
  version?: number;
  builtin?: boolean;
  created_by?: string;
  last_updated_at?: number;
}

export interface Progress {
  total: number;
  completed: number;
  skipped: number;
  in_progress: number;
  pending: number;
}

export interface LabelingSession {
  labeling_session_id: string;
  mlflow_run_id: string;
  review_app_id: string;
  experiment_id: string;
  name: string;
  assigned_users: string[];
  agent?: { agent_name: string } | null;
  labeling_schemas: { name: string }[];
  enable_multi_turn_chat?: boolean;
  custom_inputs?: Record<string, unknown> | null;
  reviews_per_item?: number | 'all';
  url?: string;
  create_time?: string;
  created_by?: string;
  last_update_time?: string;
  last_updated_by?: string;
  progress?: Progress;
}

export interface ItemReview {
  reviewer: string;
  state: 'IN_PROGRESS' | 'COMPLETED' | 'SKIPPED';
  started_time?: string;
  completed_time?: string;
  time_spent_ms?: number;
}

export interface SessionItem {
  item_id: string;
  labeling_session_id: string;
  source: { trace_id?: string; dataset_id?: string; dataset_record_id?: string };
  state: 'PENDING' | 'IN_PROGRESS' | 'COMPLETED' | 'SKIPPED';
  position?: number;
  create_time?: string;
  last_update_time?: string;
  reviews?: ItemReview[];
}

export interface ReviewSessionSummary {
  labeling_session_id: string;
  name: string;
  experiment_id: string;
  schemas?: unknown[];
  progress: { mine_done: number; mine_skipped: number; total: number; remaining: number };
}

export interface MyAnswer {
  value: unknown;
  comment?: string;
  assessment_id?: string;
  schema_version?: number;
}

export interface ReviewItem {
  item_id: string;
  position: number;
  total: number;
  state: string;
  my_state?: string | null;
  trace: {
    trace_id?: string;
    inputs?: unknown;
    outputs?: unknown;
    spans_summary?: unknown;
    retriever_documents?: RetrieverDoc[];
  };
  schemas: unknown[];
  my_answers?: Record<string, MyAnswer>;
  reserved_until?: number | string;
}

export interface RetrieverDoc {
  page_content?: string;
  doc_uri?: string;
  metadata?: Record<string, unknown>;
  id?: string;
}

export interface SessionStats {
  reviewers: { reviewer: string; done: number; todo: number; skipped: number; median_ms?: number | null }[];
  schemas: {
    name: string;
    distribution: Record<string, number>;
    agreement?: { alpha?: number | null; level?: string; kappa_pairs?: unknown[] } | null;
    disagreements?: string[];
  }[];
}

export interface Dataset {
  dataset_id: string;
  name: string;
  tags: string;
  digest: string;
  created_time: number;
  last_update_time: number;
  created_by?: string;
  experiment_ids: string[];
}

export interface DatasetRecord {
  dataset_record_id: string;
  dataset_id: string;
  inputs: unknown;
  outputs?: unknown;
  expectations?: Record<string, unknown>;
  tags?: Record<string, string>;
  source?: unknown;
  source_id?: string;
  source_type?: string;
  created_time: number;
  last_update_time: number;
}
