// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${VAR} is the syntax for environment references
/**
 * Reading `serve.yaml`: the same pipeline as a workflow (YAML with positions, `${VAR}` from the
 * environment, the zod schema, every problem at once with file, line, path, expected and found;
 * exit 3), then what the schema cannot say: tokens given as `${VAR}` only (a literal token is
 * refused, and hashed here so the value is never kept), unique token names, signing secrets from
 * the environment, and catalog entries that are readable, valid workflows.
 */
import { createHash } from 'node:crypto';
import { dirname, resolve } from 'node:path';
import { loadWorkflow, readWorkflowText } from '../../app/index.js';
import { CHAT_ACTIONS, CHAT_PLATFORMS, GROUP_RESOLVING_PLATFORMS } from '../../chat/index.js';
import { InvalidInputError } from '../../errors/index.js';
import { registerSecret } from '../../log/index.js';
import {
  type Environment,
  expectedPhrase,
  fromZodIssues,
  interpolateDocument,
  invalidWorkflowError,
  notifySecretIssues,
  parseYamlText,
  placeIssues,
  type RawIssue,
  yamlData,
} from '../../workflow/index.js';
import { type Role, type ServeConfigDocument, serveConfigSchema } from './serve-schema.js';

export interface ApiToken {
  name: string;
  role: Role;
  /** SHA-256 of the token, 32 bytes: what a presented token's hash is compared with. */
  sha256: Buffer;
}

export interface ServeConfig {
  /** The file as it was named, for messages. */
  file: string;
  /** Catalog name → absolute workflow path. */
  catalog: Map<string, string>;
  tokens: ApiToken[];
  metricsPublic: boolean;
  /** Where people reach the server: notifications link to `<publicUrl>/runs/<id>`. */
  publicUrl?: string;
  /** The `schedules` section as validated; the scheduler reads it. */
  schedules: ServeConfigDocument['schedules'];
  notify: ServeConfigDocument['notify'];
  alertGate: ServeConfigDocument['alertGate'];
  /** Chat-ops: who may do what to which catalog workflow from chat. */
  chat: ServeConfigDocument['chat'];
}

export function sha256Of(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** @example const config = await loadServeConfig('serve.yaml', process.env); */
export async function loadServeConfig(file: string, env: Environment): Promise<ServeConfig> {
  const source = await readWorkflowText(file, 'a readable serve.yaml file');
  const parsed = parseYamlText(file, source.text);
  const interpolation = interpolateDocument(parsed.document, env);
  const issues: RawIssue[] = [...interpolation.issues];
  const result = serveConfigSchema.safeParse(yamlData(file, parsed) ?? undefined, {
    reportInput: true,
    error: expectedPhrase,
  });
  if (!result.success) {
    const unresolved = new Set(interpolation.issues.map((issue) => issue.path.join('\u0000')));
    issues.push(
      ...fromZodIssues(result.error.issues).filter(
        (issue) => !unresolved.has(issue.path.join('\u0000')),
      ),
    );
    throw invalidWorkflowError(file, placeIssues(issues, parsed));
  }
  const doc = result.data;
  issues.push(...tokenIssues(doc, interpolation.wholeReferences));
  issues.push(...notifySecretIssues(doc.notify, interpolation));
  issues.push(...chatWorkflowIssues(doc));
  issues.push(...unresolvedGroupIssues(doc));
  const base = dirname(resolve(file));
  const catalog = new Map(
    Object.entries(doc.catalog).map(([name, path]) => [name, resolve(base, path)]),
  );
  issues.push(...(await unreadableCatalogEntries(catalog)));
  if (issues.length > 0) throw invalidWorkflowError(file, placeIssues(issues, parsed));
  // Each catalog workflow must be valid now, not when someone starts it at 2 am.
  for (const path of catalog.values()) await loadWorkflow(path, env);
  for (const channel of doc.notify?.channels ?? []) registerSecret(channel.secret);
  return {
    file,
    catalog,
    tokens: doc.tokens.map((token) => {
      registerSecret(token.token);
      return {
        name: token.name,
        role: token.role,
        sha256:
          token.token === undefined
            ? Buffer.from(token.sha256 ?? '', 'hex')
            : sha256Of(token.token),
      };
    }),
    metricsPublic: doc.metrics.public,
    ...(doc.publicUrl === undefined ? {} : { publicUrl: doc.publicUrl }),
    schedules: doc.schedules,
    notify: doc.notify,
    alertGate: doc.alertGate,
    chat: doc.chat,
  };
}

/** Chat opens catalog workflows only: a name that is not in the catalog is a typo to report. */
function chatWorkflowIssues(doc: ServeConfigDocument): RawIssue[] {
  return Object.keys(doc.chat?.workflows ?? {})
    .filter((name) => !Object.hasOwn(doc.catalog, name))
    .map((name) => ({
      path: ['chat', 'workflows', name],
      expected: `a catalog name (${Object.keys(doc.catalog).join(', ')})`,
      found: JSON.stringify(name),
    }));
}

/** A `groups` list on a platform serve cannot ask for a sender's groups would silently never match. */
function unresolvedGroupIssues(doc: ServeConfigDocument): RawIssue[] {
  const issues: RawIssue[] = [];
  for (const [name, rules] of Object.entries(doc.chat?.workflows ?? {})) {
    for (const action of CHAT_ACTIONS) {
      for (const platform of CHAT_PLATFORMS) {
        const groups = rules[action][platform]?.groups ?? [];
        if (groups.length === 0 || GROUP_RESOLVING_PLATFORMS.includes(platform)) continue;
        issues.push({
          path: ['chat', 'workflows', name, action, platform, 'groups'],
          expected: `users only: groups are not resolved for ${platform} yet`,
          found: JSON.stringify(groups),
        });
      }
    }
  }
  return issues;
}

function tokenIssues(doc: ServeConfigDocument, references: Map<string, string>): RawIssue[] {
  const issues: RawIssue[] = [];
  const seen = new Set<string>();
  doc.tokens.forEach((token, index) => {
    if (token.token !== undefined && !references.has(`tokens[${index}].token`)) {
      issues.push({
        path: ['tokens', index, 'token'],
        expected:
          'a reference to an environment variable like ${DRAINCTL_OPERATOR_TOKEN}, or the token’s sha256 (tokens are never written in serve.yaml)',
        // Never echo what was written: it may be the token itself.
        found: 'a literal value',
      });
    }
    if (seen.has(token.name)) {
      issues.push({
        path: ['tokens', index, 'name'],
        expected: 'a name no other token has (it says who made a change)',
        found: JSON.stringify(token.name),
      });
    }
    seen.add(token.name);
  });
  return issues;
}

async function unreadableCatalogEntries(catalog: Map<string, string>): Promise<RawIssue[]> {
  const issues: RawIssue[] = [];
  for (const [name, path] of catalog) {
    await readWorkflowText(path).catch((error: unknown) => {
      if (!(error instanceof InvalidInputError)) throw error;
      issues.push({
        path: ['catalog', name],
        expected: 'a readable workflow file (relative to this file)',
        found: error.found ?? error.message,
      });
    });
  }
  return issues;
}
