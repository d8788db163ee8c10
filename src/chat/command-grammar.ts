/**
 * The one command grammar every platform's text goes through: `plan NAME`, `run NAME`,
 * `approve RUN SHA256`, `deny RUN`, `status [RUN]`, `abort RUN`, `help`. Bot mentions (`@drainctl`,
 * Slack's `<@U123>`, Feishu's `@_user_1`) and a leading slash command (`/drain`) are dropped, the
 * verb's case and extra spaces do not matter, and NAME must be a workflow of the catalog the
 * caller hands in — it is looked up, never used as a path.
 */

export type ChatCommand =
  | { verb: 'plan' | 'run'; workflow: string }
  /** `planSha256`: the plan the approver was shown, whole or a prefix of 12+ hex digits. */
  | { verb: 'approve'; runId: string; planSha256: string }
  | { verb: 'deny'; runId: string }
  | { verb: 'abort'; runId: string }
  | { verb: 'status'; runId?: string }
  | { verb: 'help' };

export type ChatVerb = ChatCommand['verb'];

export type ParsedCommand =
  | { ok: true; command: ChatCommand }
  /** Not a command: `answer` says why and lists the commands. */
  | { ok: false; answer: string };

/** A run id as a person types it; the use case checks it against the runs that exist. */
const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
/** The plan's sha256 or a prefix of it: 12 to 64 hex digits. */
const PLAN_SHA256 = /^[0-9a-fA-F]{12,64}$/;
const MENTION = /^(?:<[@!][^>\s]*>|@\S*)$/;
const SLASH = /^\/(?:drain|drainctl)$/i;
const MAX_TEXT = 1000;

export function parseCommand(text: string, catalog: readonly string[]): ParsedCommand {
  if (text.length > MAX_TEXT) return refused('That message is too long for a command.', catalog);
  const words = text.split(/\s+/u).filter((word) => word !== '' && !MENTION.test(word));
  if (words[0] !== undefined && SLASH.test(words[0])) words.shift();
  const [verbWord, ...args] = words;
  if (verbWord === undefined) return refused('', catalog);
  const verb = verbWord.toLowerCase();
  switch (verb) {
    case 'help':
      return args.length === 0
        ? { ok: true, command: { verb: 'help' } }
        : refused('`help` takes nothing after it.', catalog);
    case 'plan':
    case 'run':
      return workflowCommand(verb, args, catalog);
    case 'approve':
      return approveCommand(args, catalog);
    case 'deny':
    case 'abort':
      return runCommand(verb, args, catalog);
    case 'status':
      if (args.length === 0) return { ok: true, command: { verb: 'status' } };
      return runCommand('status', args, catalog);
    default:
      return refused(`I do not know \`${shorten(verbWord)}\`.`, catalog);
  }
}

function workflowCommand(
  verb: 'plan' | 'run',
  args: string[],
  catalog: readonly string[],
): ParsedCommand {
  const [name, ...extra] = args;
  if (name === undefined || extra.length > 0) {
    return refused(`\`${verb}\` takes one workflow name.`, catalog);
  }
  const workflow = catalogName(name, catalog);
  if (workflow === undefined) {
    return refused(`\`${shorten(name)}\` is not a workflow I may run from chat.`, catalog);
  }
  return { ok: true, command: { verb, workflow } };
}

function runCommand(
  verb: 'deny' | 'abort' | 'status',
  args: string[],
  catalog: readonly string[],
): ParsedCommand {
  const [runId, ...extra] = args;
  if (runId === undefined || extra.length > 0)
    return refused(`\`${verb}\` takes one run id.`, catalog);
  if (!RUN_ID.test(runId)) return refused(`\`${shorten(runId)}\` is not a run id.`, catalog);
  return { ok: true, command: { verb, runId } };
}

function approveCommand(args: string[], catalog: readonly string[]): ParsedCommand {
  const [runId, planSha256, ...extra] = args;
  if (runId === undefined || planSha256 === undefined || extra.length > 0) {
    return refused(
      '`approve` takes a run id and the plan sha256 shown with the request (at least its first 12 digits).',
      catalog,
    );
  }
  if (!RUN_ID.test(runId)) return refused(`\`${shorten(runId)}\` is not a run id.`, catalog);
  if (!PLAN_SHA256.test(planSha256)) {
    return refused(
      `\`${shorten(planSha256)}\` is not a plan sha256 (12 to 64 hex digits).`,
      catalog,
    );
  }
  return { ok: true, command: { verb: 'approve', runId, planSha256 } };
}

/** The catalog's own spelling of a name: exact, else the one entry equal but for case. */
function catalogName(name: string, catalog: readonly string[]): string | undefined {
  if (catalog.includes(name)) return name;
  const lower = name.toLowerCase();
  const matches = catalog.filter((entry) => entry.toLowerCase() === lower);
  return matches.length === 1 ? matches[0] : undefined;
}

function refused(why: string, catalog: readonly string[]): ParsedCommand {
  return { ok: false, answer: [why, helpText(catalog)].filter((line) => line !== '').join('\n') };
}

/** What `help` answers, and every refusal ends with. */
export function helpText(catalog: readonly string[]): string {
  const names = catalog.length === 0 ? '(none)' : catalog.map((name) => `\`${name}\``).join(', ');
  return [
    'Commands:',
    '• `plan NAME` — show what a run of workflow NAME would do, and its sha256',
    '• `run NAME` — start workflow NAME (asks for approval where the workflow requires it)',
    '• `approve RUN SHA256` / `deny RUN` — decide on a run waiting for approval (SHA256: the plan shown with the request)',
    '• `status [RUN]` — where a run stands (without RUN: the runs in progress)',
    '• `abort RUN` — stop a run safely',
    '• `help` — this list',
    `Workflows: ${names}`,
  ].join('\n');
}

/** Echoed user text, cut so a long paste does not come back whole; backticks removed. */
function shorten(word: string): string {
  const clean = word.replaceAll('`', '');
  return clean.length > 40 ? `${clean.slice(0, 40)}…` : clean;
}
