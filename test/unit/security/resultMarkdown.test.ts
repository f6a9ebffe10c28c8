import * as assert from 'node:assert/strict';
import { mdCode, mdText, renderOutcome, type OutcomeLike } from '../../../src/vscode/session/resultMarkdown';

/** Markup a hostile server may put into any string it sends. */
const PAYLOADS = [
  `<img src=x onerror="acquireVsCodeApi().postMessage({type:'pwned'})">`,
  '<script>acquireVsCodeApi().postMessage({type:"pwned"})</script>',
  '"><svg onload=alert(1)>',
  '[click me](javascript:alert(1))',
  '<a href="javascript:alert(1)">x</a>',
  '</textarea><iframe src="https://evil.example">',
  '`` `x` ``<b>bold</b>',
  '![img](https://evil.example/track.png)',
];

interface MarkdownRenderer {
  render(src: string): string;
  renderInline(src: string): string;
}
// markdown-it (the renderer of VS Code's Markdown preview) is in node_modules through the
// packaging tools; it ships no types, so it is required with the little this test uses.
// eslint-disable-next-line @typescript-eslint/no-require-imports -- untyped CommonJS module
const MarkdownIt = require('markdown-it') as new (options: { html: boolean; linkify?: boolean }) => MarkdownRenderer;

/** VS Code's Markdown preview renders with markdown-it and `html: true`: the strictest case for us. */
const md = new MarkdownIt({ html: true, linkify: true });
/** Without linkify, for exact round trips of text. */
const plainMd = new MarkdownIt({ html: true });

/** Elements Markdown itself produces for our documents; anything else came from a payload. */
const ALLOWED_TAGS = new Set([
  'h1',
  'h2',
  'h3',
  'p',
  'blockquote',
  'code',
  'pre',
  'em',
  'strong',
  'ul',
  'ol',
  'li',
  'hr',
  'br',
  'a',
  'img',
]);

/**
 * Fails when the rendered HTML has an element or attribute that came from a payload. Escaped
 * text has no `<`, so every tag in the HTML is real: only Markdown's own elements may appear,
 * links only to http(s) (linkify), images only as `data:` raster images, and no event handlers.
 */
function assertInert(markdown: string): void {
  const html = md.render(markdown);
  for (const m of html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)\b([^>]*)>/g)) {
    const [tag, name, attrs] = m;
    assert.ok(ALLOWED_TAGS.has(name.toLowerCase()), `live <${name}> in:\n${html}`);
    assert.doesNotMatch(attrs, /\son[a-z]+\s*=/i, `an event handler in ${tag}`);
    if (name === 'a') assert.match(attrs, /^ href="https?:\/\/[^"]*"$/, `a non-http link ${tag}`);
    if (name === 'img')
      assert.match(
        attrs,
        /^ src="data:image\/(png|jpe?g|gif|webp);base64,[A-Za-z0-9+/=]*" alt="[^"]*"$/,
        `an image that is not inline data ${tag}`,
      );
    if (name === 'code') assert.match(attrs, /^( class="language-[a-z]+")?$/, `attributes on ${tag}`);
    if (!['a', 'img', 'code'].includes(name)) assert.equal(attrs.trim(), '', `attributes on ${tag}`);
  }
}

const ok = (result: unknown): OutcomeLike => ({ ok: true, result, durationMs: 3, findings: [] });

describe('result Markdown escapes server data', () => {
  for (const [i, payload] of PAYLOADS.entries()) {
    it(`payload ${i + 1} stays text in every place a server string lands`, () => {
      const docs = [
        renderOutcome(
          { kind: 'tool', name: payload, server: payload, args: { q: payload } },
          ok({ content: [{ type: 'text', text: payload }], structuredContent: { v: payload } }),
        ),
        renderOutcome(
          { kind: 'tool', name: 't', server: 's' },
          {
            ok: false,
            error: { code: -32603, message: payload, data: payload },
            durationMs: 1,
            findings: [{ code: payload, severity: 'error', message: payload }],
          },
        ),
        renderOutcome(
          { kind: 'tool', name: 't', server: 's' },
          {
            ok: false,
            isError: true,
            result: { isError: true, content: [{ type: payload, text: payload }] },
            durationMs: 1,
            findings: [],
          },
        ),
        renderOutcome(
          { kind: 'tool', name: 't', server: 's' },
          ok({
            content: [{ type: 'resource_link', uri: payload, name: payload, description: payload, mimeType: payload }],
          }),
        ),
        renderOutcome(
          { kind: 'tool', name: 't', server: 's' },
          ok({
            content: [
              { type: 'image', mimeType: payload, data: payload },
              { type: 'audio', mimeType: payload, data: 'AAAA' },
            ],
          }),
        ),
        renderOutcome(
          { kind: 'resource', name: payload, server: 's' },
          ok({
            contents: [
              { uri: payload, mimeType: payload, text: payload },
              { uri: payload, mimeType: 'image/png', blob: payload },
            ],
          }),
        ),
        renderOutcome(
          { kind: 'prompt', name: 'p', server: 's' },
          ok({ description: payload, messages: [{ role: payload, content: { type: 'text', text: payload } }] }),
        ),
      ];
      for (const doc of docs) assertInert(doc);
      // The payload is still there to read, as text.
      assert.ok(docs[1].includes(`: ${mdText(payload)}`), 'the error message is shown, escaped');
    });
  }

  it('mdText renders exactly the original text (entities and escapes undo to it)', () => {
    for (const payload of PAYLOADS) {
      const html = plainMd.renderInline(mdText(payload));
      const plain = html
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
      assert.equal(plain, payload);
    }
  });

  it('mdCode keeps backticks inside and cannot be closed early', () => {
    for (const s of ['a`b', '``x``', '`lead', 'trail`', '', '<img src=x onerror=1>']) {
      const html = md.renderInline(mdCode(s));
      assert.match(html, /^<code>[\s\S]*<\/code>$/, html);
      const inner = html
        .slice(6, -7)
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&quot;/g, '"')
        .replace(/&amp;/g, '&');
      assert.equal(inner.trim(), s.trim());
    }
  });

  it('shows raster images, but not SVG or data that is not base64', () => {
    const png = renderOutcome(
      { kind: 'tool', name: 't', server: 's' },
      ok({ content: [{ type: 'image', mimeType: 'image/png', data: 'iVBORw0KGgo=' }] }),
    );
    assert.match(png, /!\[image\]\(data:image\/png;base64,iVBORw0KGgo=\)/);
    const svg = renderOutcome(
      { kind: 'tool', name: 't', server: 's' },
      ok({ content: [{ type: 'image', mimeType: 'image/svg+xml', data: 'PHN2Zz4=' }] }),
    );
    assert.doesNotMatch(svg, /!\[image\]/);
    assert.match(svg, /not shown/);
    const broken = renderOutcome(
      { kind: 'tool', name: 't', server: 's' },
      ok({ content: [{ type: 'image', mimeType: 'image/png', data: 'AAAA) <img src=x onerror=alert(1)>' }] }),
    );
    assert.doesNotMatch(broken, /!\[image\]/);
    assertInert(broken);
  });

  it('a fenced body cannot be closed by backticks inside it', () => {
    const text = '```\n<script>alert(1)</script>\n```';
    const doc = renderOutcome({ kind: 'tool', name: 't', server: 's' }, ok({ content: [{ type: 'text', text }] }));
    assertInert(doc);
    assert.ok(md.render(doc).includes('&lt;script&gt;alert(1)&lt;/script&gt;'));
  });
});
