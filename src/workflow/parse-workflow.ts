/**
 * From workflow text to a validated spec, purely: YAML with positions, `${VAR}` interpolation
 * from the environment given, the schema (strict, defaults applied), then the cross-field
 * checks. Every problem found is reported at once, in one InvalidInputError (exit 3).
 */
import { crossCheck, listedInstanceIds } from './checks/index.js';
import { type CommandSecrets, commandSecrets } from './command-secrets.js';
import { type Environment, interpolateDocument } from './interpolate.js';
import { invalidWorkflowError, placeIssues, type RawIssue } from './issue.js';
import {
  type AnyWorkflowSpec,
  isFleetWorkflow,
  type WorkflowSpec,
  workflowSchema,
} from './schema/workflow-schema.js';
import { parseYamlText, yamlData } from './yaml-document.js';
import { expectedPhrase, fromZodIssues } from './zod-issues.js';

export interface WorkflowText {
  /** As the user named it; every message starts with it. */
  file: string;
  text: string;
}

export interface LoadedWorkflow {
  spec: WorkflowSpec;
  source: WorkflowText;
  /**
   * Values from the environment that are secrets (notification URLs and signing secrets, the
   * alert gate's credentials, and
   * every `${VAR}` value a command uses): register them with the log redactor before anything
   * is printed or journaled.
   */
  secrets: string[];
  /** Not errors, but worth telling before a run: e.g. a secret written literally in a command. */
  warnings: string[];
}

/** A workflow of either kind: one balancer, or a fleet (no `loadBalancer`). */
export type LoadedAnyWorkflow = Omit<LoadedWorkflow, 'spec'> & { spec: AnyWorkflowSpec };

const SECRET_PATH =
  /^(notify\.channels\[\d+\]\.(url|secret)|alertGate\.auth\.(bearerToken|password)|(inventory|member)\.redis\.password)$/;

/**
 * Validate a workflow. `env` supplies `${VAR}` values and the default region
 * (`ALIBABA_CLOUD_REGION_ID`).
 *
 * @example parseWorkflow({ file: 'kernel-patch.yaml', text }, process.env).spec.rollout.maxUnavailable
 */
export function parseWorkflow(source: WorkflowText, env: Environment): LoadedWorkflow {
  const loaded = parseAnyWorkflow(source, env);
  const { spec } = loaded;
  if (isFleetWorkflow(spec)) {
    const parsed = parseYamlText(source.file, source.text);
    throw invalidWorkflowError(
      source.file,
      placeIssues(
        [
          {
            path: ['loadBalancer'],
            expected: 'a balancer (id or create): this works on one balancer',
            found: 'none (a fleet workflow: `drainctl plan` surveys it)',
          },
        ],
        parsed,
      ),
    );
  }
  return { ...loaded, spec };
}

/**
 * Validate a workflow of either kind: a fleet workflow (no `loadBalancer`) is valid here.
 *
 * @example isFleetWorkflow(parseAnyWorkflow({ file, text }, process.env).spec)
 */
export function parseAnyWorkflow(source: WorkflowText, env: Environment): LoadedAnyWorkflow {
  const parsed = parseYamlText(source.file, source.text);
  const interpolation = interpolateDocument(parsed.document, env);
  const issues: RawIssue[] = [...interpolation.issues];
  const data: unknown = yamlData(source.file, parsed);
  const result = workflowSchema.safeParse(data ?? undefined, {
    reportInput: true,
    error: expectedPhrase,
  });
  let spec: AnyWorkflowSpec | undefined;
  let commands: CommandSecrets = { secrets: [], warnings: [] };
  if (!result.success) {
    // A reference that could not be replaced is already reported at its path.
    const unresolved = new Set(interpolation.issues.map((issue) => issue.path.join('\u0000')));
    issues.push(
      ...fromZodIssues(result.error.issues).filter(
        (issue) => !unresolved.has(issue.path.join('\u0000')),
      ),
    );
  } else {
    const doc = result.data;
    const region = doc.region ?? env.ALIBABA_CLOUD_REGION_ID;
    if (region === undefined || region === '') {
      issues.push({
        path: ['region'],
        expected: 'a region id like cn-hangzhou (or ALIBABA_CLOUD_REGION_ID in the environment)',
        found: 'nothing',
      });
    }
    issues.push(...crossCheck({ doc, interpolation, fleet: uniqueIds(listedInstanceIds(doc)) }));
    spec = { ...doc, region: region ?? '' } as AnyWorkflowSpec;
    commands = commandSecrets(doc, interpolation);
  }
  if (issues.length > 0 || spec === undefined) {
    throw invalidWorkflowError(source.file, placeIssues(issues, parsed));
  }
  const secrets = [...interpolation.interpolatedValues]
    .filter(([path]) => SECRET_PATH.test(path))
    .map(([, value]) => value);
  secrets.push(...commands.secrets);
  return { spec, source, secrets, warnings: commands.warnings };
}

function uniqueIds(ids: string[] | undefined): string[] | undefined {
  return ids === undefined ? undefined : [...new Set(ids)];
}
