/**
 * Typed access to an API call's parameters (query and form body merged), raising the real
 * MissingParameter / InvalidParameter errors. Lists arrive flattened (`Name.1`, `Name.2`), nested
 * lists as `Tag.1.Key`, booleans as "true"/"false", some values as JSON strings.
 */
import { InvalidParameter, MissingParameter } from './api-error.js';

export interface TagPair {
  key: string;
  value: string;
}

export class Params {
  constructor(private readonly values: ReadonlyMap<string, string>) {}

  /** Every parameter, sorted by name (used to compare idempotent requests). */
  entries(): [string, string][] {
    return [...this.values.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  has(name: string): boolean {
    return this.values.has(name);
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  required(name: string): string {
    const value = this.values.get(name);
    if (value === undefined || value === '') throw new MissingParameter(name);
    return value;
  }

  /** An integer within [min, max]; `fallback` when absent. */
  int(name: string, range: { min?: number; max?: number } = {}): number | undefined {
    const raw = this.values.get(name);
    if (raw === undefined || raw === '') return undefined;
    if (!/^-?\d+$/.test(raw.trim())) throw new InvalidParameter(name, 'An integer is expected.');
    const value = Number(raw);
    if (range.min !== undefined && value < range.min) {
      throw new InvalidParameter(name, `The value must be at least ${range.min}.`);
    }
    if (range.max !== undefined && value > range.max) {
      throw new InvalidParameter(name, `The value must be at most ${range.max}.`);
    }
    return value;
  }

  requiredInt(name: string, range: { min?: number; max?: number } = {}): number {
    const value = this.int(name, range);
    if (value === undefined) throw new MissingParameter(name);
    return value;
  }

  /** One of `allowed` (compared case-sensitively, as the real APIs do). */
  oneOf<T extends string>(name: string, allowed: readonly T[]): T | undefined {
    const raw = this.values.get(name);
    if (raw === undefined || raw === '') return undefined;
    if (!(allowed as readonly string[]).includes(raw)) {
      throw new InvalidParameter(name, `Valid values: ${allowed.join(', ')}.`);
    }
    return raw as T;
  }

  bool(name: string): boolean | undefined {
    const raw = this.values.get(name);
    if (raw === undefined || raw === '') return undefined;
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    throw new InvalidParameter(name, 'Valid values: true, false.');
  }

  /** A flattened list `Name.1`, `Name.2`, … in index order. */
  list(name: string): string[] {
    const prefix = `${name}.`;
    const indexed: [number, string][] = [];
    for (const [key, value] of this.values) {
      if (!key.startsWith(prefix)) continue;
      const index = key.slice(prefix.length);
      if (/^\d+$/.test(index)) indexed.push([Number(index), value]);
    }
    return indexed.sort(([a], [b]) => a - b).map(([, value]) => value);
  }

  /** Flattened tags `Tag.N.Key` / `Tag.N.Value` in index order. */
  tags(name = 'Tag'): TagPair[] {
    const byIndex = new Map<number, { key?: string; value?: string }>();
    const pattern = new RegExp(`^${name}\\.(\\d+)\\.(Key|Value)$`);
    for (const [key, value] of this.values) {
      const match = pattern.exec(key);
      if (!match) continue;
      const index = Number(match[1]);
      const entry = byIndex.get(index) ?? {};
      if (match[2] === 'Key') entry.key = value;
      else entry.value = value;
      byIndex.set(index, entry);
    }
    return [...byIndex.entries()]
      .sort(([a], [b]) => a - b)
      .flatMap(([, entry]) =>
        entry.key === undefined ? [] : [{ key: entry.key, value: entry.value ?? '' }],
      );
  }

  /** A parameter holding a JSON value (e.g. SLB's BackendServers, ECS's InstanceIds). */
  json(name: string): unknown {
    const raw = this.values.get(name);
    if (raw === undefined || raw === '') return undefined;
    try {
      return JSON.parse(raw) as unknown;
    } catch {
      throw new InvalidParameter(name, 'A JSON value is expected.');
    }
  }
}
