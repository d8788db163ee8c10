/**
 * Per-node text templates: `{instanceId}`, `{name}` and `{privateIp}` are replaced by the node's
 * values, e.g. `.drainctl/emulator/instances/{instanceId}/access.log`. Used for access-log paths
 * and hook commands; unknown placeholders are spec errors, so a typo never reaches a host.
 *
 * Placeholders are those of the text as written in the file. A value a `${VAR}` reference put
 * into the text is never one: its braces are made literal when it is interpolated (a password
 * `pw{ab}` is neither refused as an unknown placeholder — naming part of it — nor has `{name}`
 * inside it replaced per node), and `${…}` itself is no `{…}` placeholder (a reference left
 * unresolved is reported once, as such).
 */

export const TEMPLATE_PLACEHOLDERS = ['instanceId', 'name', 'privateIp'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /(?<!\$)\{([A-Za-z]+)\}/g;

/** The workflow fields that are per-node templates (formatted paths). */
const TEMPLATE_FIELD =
  /^(drain\.probe\.path|(hooks|gates)\.(before|after)\[\d+\]\.command|gates\.(before|after)\[\d+\]\.host)$/;

export function isTemplateField(path: string): boolean {
  return TEMPLATE_FIELD.test(path);
}

/**
 * Braces of interpolated text, kept out of placeholder matching until the template is expanded
 * (private-use characters: no workflow text holds them).
 */
const LITERAL_OPEN = '\uE000';
const LITERAL_CLOSE = '\uE001';

/** `value` with its braces literal: no placeholder is found or expanded in it. */
export function literalTemplateText(value: string): string {
  return value.replaceAll('{', LITERAL_OPEN).replaceAll('}', LITERAL_CLOSE);
}

/** A template's text as it reads, placeholders not expanded: for messages quoting it. */
export function templateText(template: string): string {
  return template.replaceAll(LITERAL_OPEN, '{').replaceAll(LITERAL_CLOSE, '}');
}

/** Placeholders used in `template` that drainctl does not know. */
export function unknownPlaceholders(template: string): string[] {
  const known = new Set<string>(TEMPLATE_PLACEHOLDERS);
  return [...template.matchAll(PLACEHOLDER)]
    .map((match) => match[1] ?? '')
    .filter((name) => !known.has(name));
}

/** Whether the template names the node at all (so two nodes never share one expansion). */
export function isPerNode(template: string): boolean {
  return [...template.matchAll(PLACEHOLDER)].some((match) =>
    (TEMPLATE_PLACEHOLDERS as readonly string[]).includes(match[1] ?? ''),
  );
}

/**
 * @example expandTemplate('logs/{name}.log', { instanceId: 'i-1', name: 'web-1' }) // 'logs/web-1.log'
 * A placeholder whose value is missing is left as it is; the caller checks beforehand.
 */
export function expandTemplate(
  template: string,
  values: Partial<Record<TemplatePlaceholder, string>>,
): string {
  return template
    .replace(PLACEHOLDER, (whole, name: string) => {
      const value = values[name as TemplatePlaceholder];
      return value === undefined ? whole : value;
    })
    .replaceAll(LITERAL_OPEN, '{')
    .replaceAll(LITERAL_CLOSE, '}');
}
