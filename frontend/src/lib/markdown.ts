// Markdown for untrusted trace content (LLM output is attacker-influenced): markdown-it with raw
// HTML off, then DOMPurify as a second layer. Only http(s)/mailto links survive, and open in a
// new tab without a referrer; images load only from data: URIs — a remote image (the classic
// exfiltration channel) is shown as inert text naming its address. This module is the only
// producer of HTML strings in the app (see components/Markdown.tsx).
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';

/** Longest text rendered as Markdown; longer content is cut with a note. */
export const MAX_MARKDOWN_CHARS = 200_000;

const SAFE_LINK = /^(?:https?:|mailto:)/i;
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|bmp|svg\+xml);/i;

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });

// markdown-it's own link check already refuses javascript:, vbscript: and file:; narrow it to
// the schemes we allow (and data:image for images only).
md.validateLink = (url: string) => {
  const u = url.trim();
  return SAFE_LINK.test(u) || DATA_IMAGE.test(u) || u.startsWith('#');
};

// Links open in a new tab with no referrer (set here and again after sanitizing).
md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx].attrSet('target', '_blank');
  tokens[idx].attrSet('rel', 'noopener noreferrer nofollow');
  return self.renderToken(tokens, idx, options);
};

md.renderer.rules.image = (tokens, idx) => {
  const t = tokens[idx];
  const src = String(t.attrGet('src') ?? '');
  const alt = String(t.content || t.attrGet('alt') || '');
  if (DATA_IMAGE.test(src)) {
    return `<img src="${md.utils.escapeHtml(src)}" alt="${md.utils.escapeHtml(alt)}">`;
  }
  return `<span class="md-blocked-img" title="Remote images are not loaded">[image not loaded${alt ? `: ${md.utils.escapeHtml(alt)}` : ''} — ${md.utils.escapeHtml(src)}]</span>`;
};

let hooked = false;
function purifier() {
  if (!hooked) {
    DOMPurify.addHook('afterSanitizeAttributes', (node) => {
      const el = node as Element;
      if (el.tagName === 'A') {
        const href = el.getAttribute('href') ?? '';
        if (!SAFE_LINK.test(href) && !href.startsWith('#')) el.removeAttribute('href');
        el.setAttribute('target', '_blank');
        el.setAttribute('rel', 'noopener noreferrer nofollow');
      }
      if (el.tagName === 'IMG') {
        const src = el.getAttribute('src') ?? '';
        if (!DATA_IMAGE.test(src)) {
          const span = el.ownerDocument.createElement('span');
          span.className = 'md-blocked-img';
          span.textContent = `[image not loaded — ${src}]`;
          el.replaceWith(span);
        }
        el.removeAttribute('srcset');
      }
    });
    hooked = true;
  }
  return DOMPurify;
}

const PURIFY_CONFIG = {
  ALLOWED_TAGS: [
    'a', 'p', 'br', 'hr', 'em', 'strong', 'del', 's', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li',
    'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'table', 'thead', 'tbody', 'tr', 'th', 'td', 'img', 'span',
  ],
  ALLOWED_ATTR: ['href', 'src', 'alt', 'title', 'class', 'start', 'align', 'target', 'rel'],
  ALLOWED_URI_REGEXP: /^(?:(?:https?|mailto):|#)/i,
  ALLOW_DATA_ATTR: false,
  RETURN_TRUSTED_TYPE: false,
};

/** Renders untrusted Markdown to sanitized HTML. */
export function renderMarkdown(src: string): string {
  let text = src;
  let cut = '';
  if (text.length > MAX_MARKDOWN_CHARS) {
    cut = `\n\n*… ${(text.length - MAX_MARKDOWN_CHARS).toLocaleString()} more characters not shown.*`;
    text = text.slice(0, MAX_MARKDOWN_CHARS);
  }
  const html = md.render(text + cut);
  return purifier().sanitize(html, PURIFY_CONFIG) as unknown as string;
}
