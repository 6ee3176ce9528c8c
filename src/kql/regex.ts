/**
 * Kusto regular expressions are RE2. Most RE2 syntax means the same in JavaScript; this translates the
 * rest (POSIX classes, \pL, \Q…\E, ASCII-only \s, \z, (?P<name>…)) and refuses what JavaScript cannot
 * express the same way (ungreedy mode, flag groups inside the pattern), instead of matching differently.
 */
import { KqlError } from './errors.js';

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

const RE2_SPACE = '\\t\\n\\f\\r ';

function escapeLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** The JavaScript source and flags for an RE2 pattern. */
export function translateRegex(pattern: string): { source: string; flags: string } {
  let flags = '';
  let rest = pattern;
  const leading = /^\(\?([imsU]+)\)/.exec(rest);
  if (leading) {
    if (leading[1].includes('U')) throw new KqlError('not supported: ungreedy regular expression flag (?U)');
    flags = [...new Set(leading[1])].join('');
    rest = rest.slice(leading[0].length);
  }
  let out = '';
  let inClass = false;
  for (let i = 0; i < rest.length; i++) {
    const ch = rest[i];
    if (ch === '\\') {
      const next = rest[i + 1];
      if (next === undefined)
        throw new KqlError(`invalid regular expression ${JSON.stringify(pattern)}: trailing backslash`);
      if (next === 'Q') {
        const end = rest.indexOf('\\E', i + 2);
        const literal = rest.slice(i + 2, end < 0 ? rest.length : end);
        out += escapeLiteral(literal);
        i = end < 0 ? rest.length : end + 1;
        continue;
      }
      if ((next === 'p' || next === 'P') && rest[i + 2] !== '{') {
        out += `\\${next}{${rest[i + 2]}}`;
        i += 2;
        continue;
      }
      if (next === 's') {
        out += inClass ? RE2_SPACE : `[${RE2_SPACE}]`;
        i++;
        continue;
      }
      if (next === 'S' && !inClass) {
        out += `[^${RE2_SPACE}]`;
        i++;
        continue;
      }
      if (next === 'z') {
        out += '$(?![\\s\\S])';
        i++;
        continue;
      }
      if (next === 'A') {
        out += '^';
        i++;
        continue;
      }
      out += ch + next;
      i++;
      continue;
    }
    if (inClass) {
      if (ch === '[' && rest[i + 1] === ':') {
        const end = rest.indexOf(':]', i + 2);
        const name = end > 0 ? rest.slice(i + 2, end) : '';
        const negated = name.startsWith('^');
        const cls = POSIX_CLASSES[negated ? name.slice(1) : name];
        if (cls === undefined || negated)
          throw new KqlError(`not supported: regular expression class [:${name}:]`);
        out += cls;
        i = end + 1;
        continue;
      }
      if (ch === ']') inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      if (rest[i + 1] === '^') out += rest[++i];
      if (rest[i + 1] === ']') out += `\\${rest[++i]}`;
      continue;
    }
    if (ch === '(' && rest[i + 1] === '?') {
      const group = /^\(\?(P?<[A-Za-z_]\w*>|:|=|!|<=|<!)/.exec(rest.slice(i));
      if (!group) throw new KqlError(`not supported: regular expression group ${rest.slice(i, i + 6)}…`);
      out += group[1].startsWith('P') ? `(?${group[1].slice(1)}` : group[0];
      i += group[0].length - 1;
      continue;
    }
    out += ch;
  }
  return { source: out, flags };
}
