// Label schemas in one shape, and the client-side mirror of the server's checks
// (app/model/labelschema.go Validate and app/model/answer.go ValidateAnswer), so a reviewer
// sees what is wrong before submitting.
import type { LabelInput, Schema } from '../api/types';

export type InputKind = 'categorical' | 'categorical_list' | 'numeric' | 'text' | 'text_list' | 'pass_fail';
export const INPUT_KINDS: InputKind[] = ['categorical', 'categorical_list', 'numeric', 'text', 'text_list', 'pass_fail'];
export const KIND_LABELS: Record<InputKind, string> = {
  categorical: 'Single choice',
  categorical_list: 'Multiple choice',
  numeric: 'Number',
  text: 'Free text',
  text_list: 'List of texts',
  pass_fail: 'Pass / fail',
};

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const numOrNull = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null);

/** Reads an input in any of the three shapes: Assay/Databricks keys, or MLflow OSS's
 *  (categorical{multi_select} for lists, text + text_list side by side). */
export function normalizeInput(src: unknown): LabelInput {
  const o = isObj(src) ? src : {};
  const opts = (x: unknown) => (isObj(x) && Array.isArray(x.options) ? x.options.map(String) : []);
  if (isObj(o.text_list)) {
    return { text_list: { max_length_each: numOrNull(o.text_list.max_length_each), max_count: numOrNull(o.text_list.max_count) } };
  }
  if (isObj(o.categorical_list)) return { categorical_list: { options: opts(o.categorical_list) } };
  if (isObj(o.categorical)) {
    return o.categorical.multi_select ? { categorical_list: { options: opts(o.categorical) } } : { categorical: { options: opts(o.categorical) } };
  }
  if (isObj(o.numeric)) return { numeric: { min_value: numOrNull(o.numeric.min_value), max_value: numOrNull(o.numeric.max_value) } };
  if (isObj(o.text)) return { text: { max_length: numOrNull(o.text.max_length) } };
  if (isObj(o.pass_fail)) {
    return { pass_fail: { positive_label: String(o.pass_fail.positive_label ?? 'Pass'), negative_label: String(o.pass_fail.negative_label ?? 'Fail') } };
  }
  return {};
}

/** Normalizes a schema from the OSS route, the review-app resource (Databricks shape: the input
 *  key sits on the schema itself) or the Review App's item (Assay shape). */
export function normalizeSchema(src: unknown): Schema {
  const o = isObj(src) ? src : {};
  const t = String(o.type ?? 'feedback').toLowerCase().replace(/^label_schema_type_/, '');
  const input = normalizeInput(isObj(o.input) ? o.input : o);
  return {
    schema_id: o.schema_id ? String(o.schema_id) : undefined,
    name: String(o.name ?? ''),
    type: t === 'expectation' ? 'expectation' : 'feedback',
    title: String(o.title ?? ''),
    instruction: String(o.instruction ?? ''),
    enable_comment: !!o.enable_comment,
    input,
    version: typeof o.version === 'number' ? o.version : undefined,
    builtin: !!(o.builtin ?? o.built_in),
    created_by: o.created_by ? String(o.created_by) : undefined,
    last_updated_at: typeof o.last_updated_at === 'number' ? o.last_updated_at : undefined,
  };
}

export function inputKind(input: LabelInput): InputKind | '' {
  const set = INPUT_KINDS.filter((k) => input[k] != null);
  return set.length === 1 ? set[0] : '';
}

/** The input as the server's create/update routes take it (Databricks keys; nulls dropped). */
export function schemaInputForWire(input: LabelInput): Obj {
  const k = inputKind(input);
  if (!k) return {};
  const body: Obj = {};
  for (const [key, v] of Object.entries(input[k] as Obj)) if (v !== null && v !== undefined) body[key] = v;
  return { [k]: body };
}

export function defaultInput(kind: InputKind): LabelInput {
  switch (kind) {
    case 'categorical':
      return { categorical: { options: ['Good', 'Bad'] } };
    case 'categorical_list':
      return { categorical_list: { options: ['Accurate', 'Helpful', 'Concise'] } };
    case 'numeric':
      return { numeric: { min_value: 1, max_value: 5 } };
    case 'text':
      return { text: { max_length: null } };
    case 'text_list':
      return { text_list: { max_length_each: null, max_count: null } };
    case 'pass_fail':
      return { pass_fail: { positive_label: 'Pass', negative_label: 'Fail' } };
  }
}

const runeLen = (s: string) => Array.from(s).length;

/** Checks a schema definition as the server does; returns { fieldPath: message }. */
export function validateSchemaDef(s: Schema): Record<string, string> {
  const e: Record<string, string> = {};
  const name = s.name.trim();
  if (!name) e.name = 'Name is required.';
  else if (runeLen(name) > 250) e.name = 'Name must be at most 250 characters.';
  else if (name.includes('.')) e.name = "Name must not contain '.' (it becomes an assessment name).";
  if (runeLen(s.title) > 250) e.title = 'Title must be at most 250 characters.';
  if (runeLen(s.instruction) > 1000) e.instruction = 'Instruction must be at most 1000 characters.';
  const k = inputKind(s.input);
  const checkOptions = (field: string, opts: string[]) => {
    if (opts.length < 1 || opts.length > 100) {
      e[field] = `Give 1 to 100 options (now ${opts.length}).`;
      return;
    }
    const seen = new Set<string>();
    opts.forEach((o, i) => {
      if (!o.trim() || runeLen(o) > 64) e[field] ??= `Option ${i + 1} must be non-empty and at most 64 characters.`;
      else if (seen.has(o)) e[field] ??= `Option "${o}" appears twice.`;
      seen.add(o);
    });
  };
  switch (k) {
    case '':
      e.input = 'Pick exactly one kind of answer.';
      break;
    case 'categorical':
      checkOptions('input.categorical.options', s.input.categorical!.options);
      break;
    case 'categorical_list':
      checkOptions('input.categorical_list.options', s.input.categorical_list!.options);
      break;
    case 'numeric': {
      const { min_value: lo, max_value: hi } = s.input.numeric!;
      if (lo != null && hi != null && lo >= hi) e['input.numeric'] = `Minimum (${lo}) must be less than maximum (${hi}).`;
      break;
    }
    case 'text':
      if (s.input.text!.max_length != null && s.input.text!.max_length < 1) e['input.text.max_length'] = 'Must be at least 1.';
      break;
    case 'text_list':
      if (s.input.text_list!.max_length_each != null && s.input.text_list!.max_length_each < 1) e['input.text_list.max_length_each'] = 'Must be at least 1.';
      if (s.input.text_list!.max_count != null && s.input.text_list!.max_count < 1) e['input.text_list.max_count'] = 'Must be at least 1.';
      break;
    case 'pass_fail': {
      const { positive_label: p, negative_label: n } = s.input.pass_fail!;
      if (runeLen(p.trim()) < 1 || runeLen(p.trim()) > 64) e['input.pass_fail.positive_label'] = 'Must be 1 to 64 characters.';
      if (runeLen(n.trim()) < 1 || runeLen(n.trim()) > 64) e['input.pass_fail.negative_label'] = 'Must be 1 to 64 characters.';
      if (p === n) e['input.pass_fail'] = 'The two labels must differ.';
      break;
    }
  }
  return e;
}

/** An answer is "empty" when the reviewer has not given one; empty answers are not sent. */
export function isEmptyAnswer(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

/** Checks one answer against its schema as the server does; returns a message or null. */
export function validateAnswer(input: LabelInput, value: unknown): string | null {
  if (isEmptyAnswer(value)) return 'An answer is required.';
  switch (inputKind(input)) {
    case 'categorical': {
      const opts = input.categorical!.options;
      if (typeof value !== 'string') return 'Pick one of the options.';
      return opts.includes(value) ? null : `"${value}" is not one of the options.`;
    }
    case 'categorical_list': {
      const opts = input.categorical_list!.options;
      if (!Array.isArray(value)) return 'Pick options from the list.';
      const seen = new Set<unknown>();
      for (const v of value) {
        if (typeof v !== 'string' || !opts.includes(v)) return `"${String(v)}" is not one of the options.`;
        if (seen.has(v)) return `"${v}" is chosen twice.`;
        seen.add(v);
      }
      return null;
    }
    case 'numeric': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return 'Enter a number.';
      const { min_value: lo, max_value: hi } = input.numeric!;
      if ((lo != null && value < lo) || (hi != null && value > hi)) return `Must be between ${lo ?? '−∞'} and ${hi ?? '∞'}.`;
      return null;
    }
    case 'text': {
      if (typeof value !== 'string') return 'Enter text.';
      const m = input.text!.max_length;
      if (m != null && runeLen(value) > m) return `${runeLen(value)} characters; the limit is ${m}.`;
      return null;
    }
    case 'text_list': {
      if (!Array.isArray(value)) return 'Enter a list of texts.';
      const { max_count: mc, max_length_each: ml } = input.text_list!;
      if (mc != null && value.length > mc) return `${value.length} entries; the limit is ${mc}.`;
      for (let i = 0; i < value.length; i++) {
        const v = value[i];
        if (typeof v !== 'string') return `Entry ${i + 1} must be text.`;
        if (ml != null && runeLen(v) > ml) return `Entry ${i + 1} is ${runeLen(v)} characters; the limit is ${ml}.`;
      }
      return null;
    }
    case 'pass_fail':
      return typeof value === 'boolean' ? null : `Choose ${input.pass_fail!.positive_label} or ${input.pass_fail!.negative_label}.`;
  }
  return 'This question has no valid answer type.';
}

/** Finds which schema a server error's field path names, e.g. `answers.quality.value` or
 *  `answers["quality"]` → "quality". */
export function schemaFromField(field: string | undefined, names: string[]): string | null {
  if (!field) return null;
  const f = field.replace(/^\$\.?/, '');
  const m = /^answers(?:\.([^.[\]]+)|\[["']?([^"'\]]+)["']?\])/.exec(f);
  const cand = m ? m[1] ?? m[2] : null;
  if (cand && names.includes(cand)) return cand;
  // Fall back to the longest schema name the path mentions as a segment.
  const hits = names.filter((n) => f === n || f.includes(`.${n}`) || f.includes(`["${n}"]`) || f.startsWith(`${n}.`) || f.includes(`${n}[`));
  return hits.sort((a, b) => b.length - a.length)[0] ?? null;
}

/** A human text for an answer value. */
export function formatAnswer(input: LabelInput | undefined, v: unknown): string {
  if (v === undefined || v === null) return '—';
  if (typeof v === 'boolean' && input?.pass_fail) return v ? input.pass_fail.positive_label : input.pass_fail.negative_label;
  if (typeof v === 'boolean') return v ? 'Yes' : 'No';
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(', ');
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
