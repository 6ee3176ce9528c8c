/**
 * The Markdown subset of text sections (paragraphs, `-` lists, **bold**, `code`) as HTML. The text is
 * escaped before any markup is added, so nothing in it can become a tag or an attribute.
 */
import { escapeHtml } from './html-escape.js';

function inline(text: string): string {
  // Code spans first, so that `**` inside them stays literal.
  return text
    .split(/(`[^`]+`)/)
    .map((part) => {
      if (part.length > 2 && part.startsWith('`') && part.endsWith('`')) {
        return `<code>${escapeHtml(part.slice(1, -1))}</code>`;
      }
      return escapeHtml(part).replace(/\*\*(.+?)\*\*/g, '<strong>$1</strong>');
    })
    .join('');
}

const LIST_ITEM = /^\s*[-*]\s+(.*)$/;

type Block = { kind: 'paragraph'; lines: string[] } | { kind: 'list'; items: string[] };

function blocks(markdown: string): Block[] {
  const result: Block[] = [];
  let current: Block | undefined;
  for (const line of markdown.replace(/\r\n?/g, '\n').split('\n')) {
    const item = LIST_ITEM.exec(line);
    if (line.trim() === '') {
      current = undefined;
    } else if (item) {
      if (current?.kind !== 'list') {
        current = { kind: 'list', items: [] };
        result.push(current);
      }
      current.items.push(item[1]);
    } else if (current?.kind === 'list' && /^\s+\S/.test(line)) {
      // An indented line continues the list item above it.
      current.items[current.items.length - 1] += ` ${line.trim()}`;
    } else {
      if (current?.kind !== 'paragraph') {
        current = { kind: 'paragraph', lines: [] };
        result.push(current);
      }
      current.lines.push(line.trim());
    }
  }
  return result;
}

export function markdownSubsetToHtml(markdown: string): string {
  return blocks(markdown)
    .map((block) =>
      block.kind === 'list'
        ? `<ul>${block.items.map((item) => `<li>${inline(item)}</li>`).join('')}</ul>`
        : `<p>${inline(block.lines.join(' '))}</p>`,
    )
    .join('\n');
}
