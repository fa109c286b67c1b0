import { act } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { LabelPreview, SchemaWidget, type Answer } from '../components/SchemaWidget';
import type { Schema } from '../api/types';
import { validateAnswer } from '../lib/schema';
import { render } from './render';

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});

const base = { title: '', instruction: '', enable_comment: false, type: 'feedback' as const };
const quality: Schema = { ...base, name: 'quality', title: 'How good?', instruction: 'Be fair.', enable_comment: true, input: { categorical: { options: ['Poor', 'Good'] } } };
const facts: Schema = { ...base, name: 'facts', type: 'expectation', title: 'Facts', input: { text_list: { max_count: 2, max_length_each: 5 } } };
const pf: Schema = { ...base, name: 'ok', title: 'Correct?', input: { pass_fail: { positive_label: 'Yes', negative_label: 'No' } } };

describe('SchemaWidget', () => {
  it('shows title, instruction, options with their digit keys and the comment box', () => {
    const r = render(<SchemaWidget schema={quality} index={0} answer={{ value: undefined, comment: '' }} onChange={() => undefined} />);
    cleanup = r.unmount;
    const c = r.container;
    expect(c.querySelector('legend')?.textContent).toContain('How good?');
    expect(c.textContent).toContain('Be fair.');
    expect(Array.from(c.querySelectorAll('.option kbd')).map((k) => k.textContent)).toEqual(['1', '2']);
    expect(c.querySelectorAll('input[type=radio]')).toHaveLength(2);
    expect(c.querySelector('textarea.comment')).not.toBeNull();
  });

  it('reports a picked option and shows the validation error it is given', () => {
    let got: Answer | null = null;
    const r = render(<SchemaWidget schema={pf} index={1} answer={{ value: undefined, comment: '' }} error="Choose Yes or No." onChange={(a) => (got = a)} />);
    cleanup = r.unmount;
    const radios = r.container.querySelectorAll<HTMLInputElement>('input[type=radio]');
    act(() => radios[1].click());
    expect(got).toEqual({ value: false, comment: '' });
    expect(r.container.querySelector('[role=alert]')?.textContent).toBe('Choose Yes or No.');
    expect(r.container.querySelector('fieldset')?.className).toContain('question-invalid');
  });

  it('text_list limits are checked before submit', () => {
    expect(validateAnswer(facts.input, ['one', 'two', 'three'])).toContain('limit is 2');
    expect(validateAnswer(facts.input, ['toolong'])).toContain('limit is 5');
    const r = render(<SchemaWidget schema={facts} index={0} answer={{ value: ['a', 'b'], comment: '' }} onChange={() => undefined} />);
    cleanup = r.unmount;
    expect(r.container.querySelectorAll('.text-list-row input')).toHaveLength(2);
    expect(r.container.querySelector<HTMLButtonElement>('.text-list > button')?.disabled).toBe(true); // max 2 entries
  });

  it('the label preview renders every picked schema, in order', () => {
    const r = render(<LabelPreview schemas={[quality, facts, pf]} />);
    cleanup = r.unmount;
    expect(Array.from(r.container.querySelectorAll('legend')).map((l) => l.textContent)).toEqual(['1How good?', '2Factsexpectation', '3Correct?']);
  });
});
