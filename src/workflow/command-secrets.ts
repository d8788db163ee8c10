// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the workflow syntax named in messages
/**
 * Secrets in command fields (patch commands, the neededWhen checks, the verify command, hooks,
 * the commands of gates, the drain's releaseConnections command).
 * A value a command takes from the environment (`${DB_PASSWORD}`) is a secret whatever the
 * variable is called and however short: it is returned for registration, so every output shows
 * it masked. A value that could be ordinary text (short, a plain word or number) is masked where
 * it stands on its own, in any sentence — worth a warning — so the whole word a command glues it
 * into (`-p${PIN}`) is returned too. A secret written literally in the file
 * (`mysql -pS3cret`, `Authorization: Bearer …`) is masked by its shape wherever it goes, and is
 * worth a warning too: the file is the leak.
 */
import { isDistinctive } from '../log/known-secrets.js';
import { findSecretPatterns } from '../log/secret-patterns.js';
import type { Interpolation } from './interpolate.js';
import type { WorkflowDocument } from './schema/workflow-schema.js';

/** The command fields of a workflow, as formatted paths with their (interpolated) text. */
function commandFields(doc: WorkflowDocument): Array<[string, string]> {
  const fields: Array<[string, string]> = [];
  doc.patch.commands.forEach((command, index) => {
    fields.push([`patch.commands[${index}]`, command]);
  });
  doc.patch.neededWhen.forEach((needed, index) => {
    fields.push([`patch.neededWhen[${index}].command`, needed.command]);
  });
  if (doc.patch.verify !== false) fields.push(['patch.verify.command', doc.patch.verify.command]);
  if (doc.drain.releaseConnections !== undefined) {
    fields.push(['drain.releaseConnections.command', doc.drain.releaseConnections.command]);
  }
  for (const when of ['before', 'after'] as const) {
    doc.hooks[when].forEach((hook, index) => {
      fields.push([`hooks.${when}[${index}].command`, hook.command]);
    });
    doc.gates[when].forEach((gate, index) => {
      if (gate.type === 'command') fields.push([`gates.${when}[${index}].command`, gate.command]);
    });
  }
  return fields;
}

export interface CommandSecrets {
  /** Values from the environment used in commands: register them with the log redactor. */
  secrets: string[];
  /** One line per command that writes a secret literally. */
  warnings: string[];
}

export function commandSecrets(
  doc: WorkflowDocument,
  interpolation: Interpolation,
): CommandSecrets {
  const secrets: string[] = [];
  const warnings: string[] = [];
  const warned = new Set<string>();
  for (const [path, command] of commandFields(doc)) {
    for (const { name, value, word } of interpolation.environmentValues.get(path) ?? []) {
      secrets.push(value);
      if (isDistinctive(value)) continue;
      // Masked where it stands on its own only: glued into a word, that word must be masked.
      if (word !== value) secrets.push(word);
      if (!warned.has(name)) {
        warned.add(name);
        warnings.push(
          `${path}: the value of \${${name}} could be ordinary text (shorter than 6 characters, ` +
            'no letter, or only letters): as a secret it is masked wherever it stands on its ' +
            'own in any output, also where it means something else. If it is not a secret, ' +
            'write it in the file.',
        );
      }
    }
    // The text as written: a `${VAR}` there is a reference, not a literal secret.
    const kinds = findSecretPatterns(interpolation.writtenTexts.get(path) ?? command);
    if (kinds.length > 0) {
      warnings.push(
        `${path}: writes a secret literally (${kinds.join(', ')}). It is masked in every output, ` +
          'but it sits in the workflow file: put it in the environment and write ${VAR} instead.',
      );
    }
  }
  return { secrets, warnings };
}
