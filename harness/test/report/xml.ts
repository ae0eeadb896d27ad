// A tiny strict XML 1.0 reader for the tests: one prolog, elements with double- or single-quoted
// attributes, text, self-closing tags; no DTD, comments, CDATA or processing instructions (the
// JUnit writer emits none). It throws on anything not well-formed: unbalanced or crossed tags,
// duplicate attributes, a raw `<` or `&` that is not a known entity, `]]>` in text, characters
// XML 1.0 does not allow, more than one root.

/** An element: name, attributes (entities decoded), children and its text (decoded, concatenated). */
export interface XmlElement {
  readonly name: string;
  readonly attrs: Record<string, string>;
  readonly children: XmlElement[];
  text: string;
}

const NAME = '[A-Za-z_][A-Za-z0-9_.:-]*';
const ENTITY = /&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;

function decode(s: string, where: string): string {
  if (/&(?!(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);)/.test(s))
    throw new Error(`bare & in ${where}`);
  return s.replace(ENTITY, (_m, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    if (named[e] !== undefined) return named[e];
    const cp = e.startsWith('#x') ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10);
    checkChars(String.fromCodePoint(cp), `${where} (character reference)`);
    return String.fromCodePoint(cp);
  });
}

/** Throws on a character XML 1.0 does not allow (C0 controls but tab/LF/CR, lone surrogates, FFFE/FFFF). */
export function checkChars(s: string, where: string): void {
  for (const ch of s) {
    const cp = ch.codePointAt(0) ?? 0;
    const ok =
      cp === 0x9 ||
      cp === 0xa ||
      cp === 0xd ||
      (cp >= 0x20 && cp <= 0xd7ff) ||
      (cp >= 0xe000 && cp <= 0xfffd) ||
      (cp >= 0x10000 && cp <= 0x10ffff);
    if (!ok) throw new Error(`character U+${cp.toString(16)} not allowed in XML (${where})`);
  }
}

/** Parses a document; returns its root element. Throws on anything not well-formed. */
export function parseXml(doc: string): XmlElement {
  checkChars(doc, 'document');
  let rest = doc.replace(/^<\?xml [^?]*\?>\s*/, '');
  if (rest === doc) throw new Error('no XML declaration');
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const open = new RegExp(`^<(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"<]*"|'[^'<]*'))*)\\s*(/?)>`);
  const attr = new RegExp(`(${NAME})\\s*=\\s*(?:"([^"<]*)"|'([^'<]*)')`, 'g');
  const close = new RegExp(`^</(${NAME})\\s*>`);
  while (rest.length > 0) {
    if (rest.startsWith('</')) {
      const m = close.exec(rest);
      const top = stack.pop();
      if (!m || !top || m[1] !== top.name)
        throw new Error(`bad closing tag at ${JSON.stringify(rest.slice(0, 40))}`);
      rest = rest.slice(m[0].length);
    } else if (rest.startsWith('<')) {
      const m = open.exec(rest);
      if (!m) throw new Error(`bad tag at ${JSON.stringify(rest.slice(0, 60))}`);
      const el: XmlElement = { name: m[1] ?? '', attrs: {}, children: [], text: '' };
      for (const a of (m[2] ?? '').matchAll(attr)) {
        const key = a[1] ?? '';
        if (key in el.attrs) throw new Error(`duplicate attribute ${key} on <${el.name}>`);
        el.attrs[key] = decode(a[2] ?? a[3] ?? '', `attribute ${key}`);
      }
      const parent = stack[stack.length - 1];
      if (parent) parent.children.push(el);
      else if (root) throw new Error('more than one root element');
      else root = el;
      if (m[3] !== '/') stack.push(el);
      rest = rest.slice(m[0].length);
    } else {
      const end = rest.indexOf('<');
      const text = end < 0 ? rest : rest.slice(0, end);
      if (text.includes(']]>')) throw new Error(']]> in text');
      const top = stack[stack.length - 1];
      if (!top) {
        if (text.trim() !== '') throw new Error('text outside the root element');
      } else top.text += decode(text, `<${top.name}> text`);
      rest = end < 0 ? '' : rest.slice(end);
    }
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack[stack.length - 1]?.name}>`);
  if (!root) throw new Error('no root element');
  return root;
}

/** Every descendant element named `name`, in document order. */
export function all(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = [];
  for (const c of el.children) {
    if (c.name === name) out.push(c);
    out.push(...all(c, name));
  }
  return out;
}
