/**
 * WeCom's callback XML: one `<xml>` element whose children are text or CDATA, no nesting, no
 * attributes. Read by a small scanner rather than an XML library so that no DOCTYPE, entity
 * expansion or external reference can ever be honoured: anything else is refused.
 */

const NAME = /^<([A-Za-z][A-Za-z0-9_]{0,63})>/;
const ENTITIES: Record<string, string> = {
  '&lt;': '<',
  '&gt;': '>',
  '&amp;': '&',
  '&quot;': '"',
  '&apos;': "'",
};

/** The children of a flat `<xml>` document by name; undefined when it is not one. */
export function readFlatXml(text: string): ReadonlyMap<string, string> | undefined {
  const trimmed = text.trim();
  if (!trimmed.startsWith('<xml>') || !trimmed.endsWith('</xml>')) return undefined;
  let rest = trimmed.slice('<xml>'.length, -'</xml>'.length);
  const fields = new Map<string, string>();
  for (;;) {
    rest = rest.trimStart();
    if (rest === '') return fields;
    const open = NAME.exec(rest);
    if (open === null) return undefined;
    const name = open[1] ?? '';
    rest = rest.slice(open[0].length);
    let value: string;
    if (rest.startsWith('<![CDATA[')) {
      const end = rest.indexOf(']]>');
      if (end < 0) return undefined;
      value = rest.slice('<![CDATA['.length, end);
      rest = rest.slice(end + ']]>'.length);
    } else {
      const end = rest.indexOf('<');
      if (end < 0) return undefined;
      const raw = rest.slice(0, end);
      if (/&(?!(?:lt|gt|amp|quot|apos);)/.test(raw)) return undefined;
      value = raw.replace(/&(?:lt|gt|amp|quot|apos);/g, (entity) => ENTITIES[entity] ?? entity);
      rest = rest.slice(end);
    }
    const close = `</${name}>`;
    if (!rest.startsWith(close) || fields.has(name)) return undefined;
    fields.set(name, value);
    rest = rest.slice(close.length);
  }
}
