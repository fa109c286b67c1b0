import { describe, expect, it } from 'vitest';
import { normalizeSchema, schemaFromField, schemaInputForWire, validateAnswer, validateSchemaDef } from '../lib/schema';
import { applyDigit, cleanAnswer } from '../components/SchemaWidget';
import type { Schema } from '../api/types';

const base = { title: '', instruction: '', enable_comment: false, type: 'feedback' as const };

describe('validateAnswer mirrors the server', () => {
  const cases: [string, Schema['input'], unknown, string | null][] = [
    ['categorical ok', { categorical: { options: ['Good', 'Bad'] } }, 'Good', null],
    ['categorical unknown option', { categorical: { options: ['Good', 'Bad'] } }, 'Meh', 'not one of the options'],
    ['categorical wrong type', { categorical: { options: ['Good'] } }, 1, 'Pick one'],
    ['categorical_list ok', { categorical_list: { options: ['a', 'b'] } }, ['a', 'b'], null],
    ['categorical_list unknown', { categorical_list: { options: ['a', 'b'] } }, ['c'], 'not one of the options'],
    ['categorical_list twice', { categorical_list: { options: ['a', 'b'] } }, ['a', 'a'], 'chosen twice'],
    ['numeric in range', { numeric: { min_value: 1, max_value: 5 } }, 3, null],
    ['numeric below', { numeric: { min_value: 1, max_value: 5 } }, 0, 'between 1 and 5'],
    ['numeric above, open below', { numeric: { max_value: 5 } }, 6, 'between −∞ and 5'],
    ['numeric not a number', { numeric: {} }, '3', 'Enter a number'],
    ['numeric NaN', { numeric: {} }, NaN, 'Enter a number'],
    ['text ok', { text: { max_length: 5 } }, 'hello', null],
    ['text too long (runes)', { text: { max_length: 3 } }, 'héllo', '5 characters; the limit is 3'],
    ['text emoji counts as one', { text: { max_length: 1 } }, '🙂', null],
    ['text_list ok', { text_list: { max_count: 2, max_length_each: 3 } }, ['a', 'bcd'], null],
    ['text_list too many', { text_list: { max_count: 1 } }, ['a', 'b'], '2 entries; the limit is 1'],
    ['text_list entry too long', { text_list: { max_length_each: 2 } }, ['abc'], 'Entry 1 is 3 characters'],
    ['pass_fail ok', { pass_fail: { positive_label: 'Yes', negative_label: 'No' } }, false, null],
    ['pass_fail wrong type', { pass_fail: { positive_label: 'Yes', negative_label: 'No' } }, 'Yes', 'Choose Yes or No'],
    ['empty answer', { text: {} }, '', 'required'],
  ];
  for (const [name, input, value, want] of cases) {
    it(name, () => {
      const got = validateAnswer(input, value);
      if (want === null) expect(got).toBeNull();
      else expect(got).toContain(want);
    });
  }
});

describe('validateSchemaDef mirrors the server', () => {
  const ok: Schema = { ...base, name: 'quality', input: { categorical: { options: ['Good', 'Bad'] } } };
  it('accepts a good schema', () => expect(validateSchemaDef(ok)).toEqual({}));
  it('names the bad field', () => {
    expect(validateSchemaDef({ ...ok, name: '' })).toHaveProperty('name');
    expect(validateSchemaDef({ ...ok, name: 'a.b' })).toHaveProperty('name');
    expect(validateSchemaDef({ ...ok, instruction: 'x'.repeat(1001) })).toHaveProperty('instruction');
    expect(validateSchemaDef({ ...ok, input: { categorical: { options: [] } } })).toHaveProperty(['input.categorical.options']);
    expect(validateSchemaDef({ ...ok, input: { categorical: { options: ['a', 'a'] } } })['input.categorical.options']).toContain('twice');
    expect(validateSchemaDef({ ...ok, input: { categorical: { options: ['x'.repeat(65)] } } })).toHaveProperty(['input.categorical.options']);
    expect(validateSchemaDef({ ...ok, input: { numeric: { min_value: 5, max_value: 1 } } })).toHaveProperty(['input.numeric']);
    expect(validateSchemaDef({ ...ok, input: { text: { max_length: 0 } } })).toHaveProperty(['input.text.max_length']);
    expect(validateSchemaDef({ ...ok, input: { pass_fail: { positive_label: 'A', negative_label: 'A' } } })).toHaveProperty(['input.pass_fail']);
    expect(validateSchemaDef({ ...ok, input: {} })).toHaveProperty('input');
  });
});

describe('normalizeSchema reads every shape the API serves', () => {
  it('MLflow OSS shape (categorical multi_select, text + text_list)', () => {
    const a = normalizeSchema({ name: 'tags', type: 'FEEDBACK', input: { categorical: { options: ['x'], multi_select: true } }, version: 2, builtin: false });
    expect(a.input).toEqual({ categorical_list: { options: ['x'] } });
    expect(a.type).toBe('feedback');
    expect(a.version).toBe(2);
    const b = normalizeSchema({ name: 'expected_facts', type: 'EXPECTATION', input: { text: { max_length: 1000 }, text_list: { max_length_each: 1000 } }, builtin: true });
    expect(b.input).toEqual({ text_list: { max_length_each: 1000, max_count: null } });
    expect(b.builtin).toBe(true);
  });
  it('Databricks review-app shape (input key on the schema)', () => {
    const s = normalizeSchema({ name: 'q', type: 'FEEDBACK', title: 'Q?', pass_fail: { positive_label: 'Y', negative_label: 'N' }, enable_comment: true });
    expect(s.input).toEqual({ pass_fail: { positive_label: 'Y', negative_label: 'N' } });
    expect(s.enable_comment).toBe(true);
  });
  it('sends Databricks keys without nulls', () => {
    expect(schemaInputForWire({ text_list: { max_count: null, max_length_each: 5 } })).toEqual({ text_list: { max_length_each: 5 } });
  });
});

describe('server field paths map onto widgets', () => {
  const names = ['quality', 'quality_notes', 'facts'];
  it('answers.<name>.value', () => expect(schemaFromField('answers.quality.value', names)).toBe('quality'));
  it('answers.<name>[i]', () => expect(schemaFromField('answers.facts.value[2]', names)).toBe('facts'));
  it('longest name wins', () => expect(schemaFromField('answers.quality_notes.comment', names)).toBe('quality_notes'));
  it('unknown field', () => expect(schemaFromField('time_spent_ms', names)).toBeNull());
});

describe('keyboard digits', () => {
  const cat: Schema = { ...base, name: 'c', input: { categorical: { options: ['a', 'b', 'c'] } } };
  const list: Schema = { ...base, name: 'l', input: { categorical_list: { options: ['a', 'b'] } } };
  const pf: Schema = { ...base, name: 'p', input: { pass_fail: { positive_label: 'Y', negative_label: 'N' } } };
  const scale: Schema = { ...base, name: 's', input: { numeric: { min_value: 1, max_value: 5 } } };
  it('pick, toggle, pass/fail and small numeric scales', () => {
    expect(applyDigit(cat, undefined, '2')).toBe('b');
    expect(applyDigit(cat, undefined, '4')).toBeUndefined();
    expect(applyDigit(list, ['a'], '2')).toEqual(['a', 'b']);
    expect(applyDigit(list, ['a', 'b'], '1')).toEqual(['b']);
    expect(applyDigit(pf, undefined, '1')).toBe(true);
    expect(applyDigit(pf, undefined, '2')).toBe(false);
    expect(applyDigit(scale, undefined, '5')).toBe(5);
  });
  it('cleans answers before sending', () => {
    const tl: Schema = { ...base, name: 't', enable_comment: true, input: { text_list: {} } };
    expect(cleanAnswer(tl, { value: [' a ', '', 'b'], comment: '  why ' })).toEqual({ value: ['a', 'b'], comment: 'why' });
  });
});
