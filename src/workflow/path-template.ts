/**
 * Per-node text templates: `{instanceId}`, `{name}` and `{privateIp}` are replaced by the node's
 * values, e.g. `.drainctl/emulator/instances/{instanceId}/access.log`. Used for access-log paths
 * and hook commands; unknown placeholders are spec errors, so a typo never reaches a host.
 */

export const TEMPLATE_PLACEHOLDERS = ['instanceId', 'name', 'privateIp'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

const PLACEHOLDER = /\{([A-Za-z]+)\}/g;

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
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name as TemplatePlaceholder];
    return value === undefined ? whole : value;
  });
}
