/**
 * DRAINCTL_DATABASE_URL is checked with the rest of the environment: a bad value is invalid
 * input naming the variable, never echoing the value (it may hold a password).
 */
import { describe, expect, it } from 'vitest';
import { databaseUrlFrom } from '#src/config/index.js';
import { InvalidInputError } from '#src/errors/index.js';

describe('DRAINCTL_DATABASE_URL', () => {
  it('is undefined when unset or empty: files, one process', () => {
    expect(databaseUrlFrom({})).toBeUndefined();
    expect(databaseUrlFrom({ DRAINCTL_DATABASE_URL: '  ' })).toBeUndefined();
  });

  it('takes a postgres:// or postgresql:// URL', () => {
    for (const url of ['postgres://u:p@db/drainctl', 'postgresql://db/drainctl?sslmode=require']) {
      expect(databaseUrlFrom({ DRAINCTL_DATABASE_URL: url })).toBe(url);
    }
  });

  it('refuses anything else with exit 3, never echoing the value', () => {
    let error: unknown;
    try {
      databaseUrlFrom({ DRAINCTL_DATABASE_URL: 'mysql://root:hunter2@db/x' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).exitCode).toBe(3);
    expect((error as Error).message).toBe(
      'DRAINCTL_DATABASE_URL: expected a postgres:// or postgresql:// URL, found a mysql: URL',
    );
  });
});
