/**
 * Problems found while planning against the live world (an instance that does not exist, a
 * budget no server can leave within, a listener configured otherwise). They are invalid input
 * like schema errors: collected, then thrown at once, naming the file, the path and the line.
 */
import type { InvalidInputError } from '../errors/index.js';
import {
  invalidWorkflowError,
  type PathSegment,
  placeIssues,
  type RawIssue,
} from '../workflow/issue.js';
import { parseYamlText } from '../workflow/yaml-document.js';

export class PlanProblems {
  private readonly found: RawIssue[] = [];

  add(path: readonly PathSegment[], expected: string, found: string): void {
    this.found.push({ path, expected, found });
  }

  get count(): number {
    return this.found.length;
  }

  /** Throws one InvalidInputError (exit 3) listing every problem, if there is any. */
  throwIfAny(source: { file: string; text: string }): void {
    if (this.found.length === 0) return;
    throw this.toError(source);
  }

  toError(source: { file: string; text: string }): InvalidInputError {
    let locator: ReturnType<typeof parseYamlText> | undefined;
    try {
      locator = parseYamlText(source.file, source.text);
    } catch {
      locator = undefined;
    }
    return invalidWorkflowError(source.file, placeIssues(this.found, locator));
  }
}
