/**
 * A copy of Thrift IDL without constants and default values, for `thrift --gen json`.
 *
 * The apache-js peer reads type descriptions from the compiler's JSON generator, which fails on
 * some values the JS generator takes (0.17: a default or constant naming another constant,
 * `Error: have identifier "M", but unset enum on line!`). Types do not depend on values, so the
 * JSON description is made from a copy where every `const` definition and every field default
 * (`= value` in struct, union, exception and argument lists) is blanked out with spaces (line
 * numbers stay). Enum values are kept. The generated JS always comes from the original IDL.
 */

/**
 * Splits IDL into tokens with their offsets: comments and whitespace are skipped, strings,
 * words and single punctuation characters are tokens.
 * @param {string} text
 * @returns {{t: string, start: number, end: number}[]}
 */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) {
      i++;
    } else if (c === '#' || (c === '/' && text[i + 1] === '/')) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < text.length && text[i] !== c) i += text[i] === '\\' ? 2 : 1;
      i++;
      tokens.push({ t: text.slice(start, i), start, end: i });
    } else if (/[\w.+-]/.test(c)) {
      const start = i;
      while (i < text.length && /[\w.+-]/.test(text[i])) i++;
      tokens.push({ t: text.slice(start, i), start, end: i });
    } else {
      tokens.push({ t: c, start: i, end: i + 1 });
      i++;
    }
  }
  return tokens;
}

/**
 * The index just past a constant value starting at tokens[k] (a literal, an identifier, or a
 * balanced [...] / {...}).
 * @param {{t: string}[]} tokens
 * @param {number} k
 * @returns {number}
 */
function skipValue(tokens, k) {
  if (tokens[k]?.t !== '[' && tokens[k]?.t !== '{') return k + 1;
  let depth = 0;
  for (; k < tokens.length; k++) {
    const t = tokens[k].t;
    if (t === '[' || t === '{') depth++;
    else if (t === ']' || t === '}') depth--;
    if (depth === 0) return k + 1;
  }
  return k;
}

/**
 * The IDL text with constants and field defaults replaced by spaces.
 * @param {string} text
 * @returns {string}
 */
export function stripValues(text) {
  const tokens = tokenize(text);
  const cut = []; // [start, end) character ranges to blank out
  let inEnum = false;
  for (let k = 0; k < tokens.length; k++) {
    const t = tokens[k].t;
    if (t === 'enum' || t === 'senum') inEnum = true;
    else if (t === '}' && inEnum) inEnum = false;
    else if (t === 'const') {
      // const <type> <name> = <value> [, or ;]
      let j = k + 1;
      while (j < tokens.length && tokens[j].t !== '=') j++;
      let end = skipValue(tokens, j + 1);
      if (tokens[end]?.t === ',' || tokens[end]?.t === ';') end++;
      cut.push([tokens[k].start, tokens[Math.min(end, tokens.length) - 1].end]);
      k = end - 1;
    } else if (t === '=' && !inEnum) {
      const end = skipValue(tokens, k + 1);
      cut.push([tokens[k].start, tokens[Math.min(end, tokens.length) - 1].end]);
      k = end - 1;
    }
  }
  let out = '';
  let last = 0;
  for (const [a, b] of cut) {
    out += text.slice(last, a) + text.slice(a, b).replace(/[^\n]/g, ' ');
    last = b;
  }
  return out + text.slice(last);
}
