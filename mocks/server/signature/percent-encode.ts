/**
 * Alibaba Cloud's percent-encoding (RFC 3986 unreserved characters kept): encodeURIComponent,
 * then `! ' ( ) *` escaped too. Both signature versions encode with it; the canonical query is
 * rebuilt with it from decoded pairs because Node's URL leaves `!'()*` as they are.
 */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

/** Decoded `key=value` pairs of a query string or form body ('+' is a space, as in forms). */
export function decodePairs(raw: string): [string, string][] {
  return [...new URLSearchParams(raw).entries()];
}

/** Sorts pairs by key (UTF-16 code units, as the SDKs do), then by value. */
export function sortPairs(pairs: [string, string][]): [string, string][] {
  const byCodeUnit = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return [...pairs].sort(([ka, va], [kb, vb]) => byCodeUnit(ka, kb) || byCodeUnit(va, vb));
}
