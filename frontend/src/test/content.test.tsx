// @vitest-environment jsdom
import { afterEach, describe, expect, it } from 'vitest';
import { classify, toChatMessages } from '../lib/content';
import { ContentView, TraceContent } from '../components/Content';
import { render } from './render';

let cleanup: (() => void) | null = null;
afterEach(() => {
  cleanup?.();
  cleanup = null;
});
function mount(el: React.ReactElement) {
  const r = render(el);
  cleanup = r.unmount;
  return r.container;
}

const toolConversation = {
  messages: [
    { role: 'system', content: 'Be helpful.' },
    { role: 'user', content: 'Where is order A-1?' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'lookup_order', arguments: '{"order_id":"A-1"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"status":"shipped"}' },
    { role: 'assistant', content: 'It has **shipped**.' },
  ],
};

describe('classify', () => {
  it('reads OpenAI messages, ChatCompletion choices, retriever docs, JSON and text', () => {
    expect(classify({ messages: [{ role: 'user', content: 'hi' }] }).kind).toBe('chat');
    expect(classify([{ role: 'user', content: 'hi' }]).kind).toBe('chat');
    expect(classify({ choices: [{ index: 0, message: { role: 'assistant', content: 'yo' } }] }).kind).toBe('chat');
    expect(classify([{ page_content: 'doc', metadata: { doc_uri: 'u' } }]).kind).toBe('docs');
    expect(classify({ question: 'x', n: 1 }).kind).toBe('json');
    expect(classify('plain *text*').kind).toBe('markdown');
    expect(classify('{"messages":[{"role":"user","content":"in a string"}]}').kind).toBe('chat');
    expect(classify(null).kind).toBe('empty');
  });

  it('links tool results to the calls they answer', () => {
    const m = toChatMessages(toolConversation.messages);
    expect(m[2].toolCalls).toEqual([{ id: 'call_1', name: 'lookup_order', arguments: { order_id: 'A-1' } }]);
    expect(m[3].toolName).toBe('lookup_order');
  });
});

describe('ContentView', () => {
  it('renders a chat transcript with tool calls and tool results as distinct bubbles', () => {
    const c = mount(<ContentView value={toolConversation} />);
    const roles = Array.from(c.querySelectorAll('[data-kind="message"]')).map((e) => e.getAttribute('data-role'));
    expect(roles).toEqual(['system', 'user', 'assistant']);
    const call = c.querySelector('[data-kind="tool-call"]')!;
    expect(call.textContent).toContain('lookup_order');
    expect(call.textContent).toContain('"order_id": "A-1"');
    const result = c.querySelector('[data-kind="tool-result"]')!;
    expect(result.textContent).toContain('lookup_order');
    expect(result.querySelector('pre.json')?.textContent).toContain('"status": "shipped"');
    expect(c.querySelector('strong')?.textContent).toBe('shipped');
  });

  it('renders a ChatCompletion as the assistant message', () => {
    const c = mount(<ContentView value={{ id: 'x', choices: [{ index: 0, message: { role: 'assistant', content: 'Hello **there**' } }] }} />);
    expect(c.querySelector('[data-role="assistant"]')?.textContent).toContain('Hello there');
  });

  it('renders retrieved documents as a list with their URIs', () => {
    const c = mount(<ContentView value={[{ page_content: 'First doc', metadata: { doc_uri: 'https://d/1' } }, { page_content: 'Second', doc_uri: 'https://d/2' }]} />);
    const items = c.querySelectorAll('[data-kind="docs"] li');
    expect(items).toHaveLength(2);
    expect(items[0].textContent).toContain('https://d/1');
    expect(items[1].textContent).toContain('https://d/2');
  });

  it('pretty-prints other JSON', () => {
    const c = mount(<ContentView value={{ question: 'q', k: [1, 2] }} />);
    expect(c.querySelector('pre.json')?.textContent).toBe(JSON.stringify({ question: 'q', k: [1, 2] }, null, 2));
  });

  it('keeps hostile content inert inside chat bubbles and documents', () => {
    const evil = '<img src=x onerror="window.__pwned=1"> <script>window.__pwned=2</script> ![p](https://evil.example/p.png) [x](javascript:alert(1))';
    const c = mount(<TraceContent inputs={{ messages: [{ role: 'user', content: evil }] }} outputs={evil} docs={[{ page_content: evil, doc_uri: 'javascript:alert(1)' }]} />);
    expect(c.querySelector('img')).toBeNull();
    expect(c.querySelector('script')).toBeNull();
    for (const a of Array.from(c.querySelectorAll('a'))) expect(a.getAttribute('href') ?? '').not.toMatch(/^javascript:/i);
    expect(c.querySelectorAll('.md-blocked-img').length).toBeGreaterThanOrEqual(3);
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });
});
