/**
 * drainctl's layer rules (docs/architecture.md, "Layout"; docs/design.md §2), checked on every
 * import at every depth by `npm run lint`. Each rule's comment is the one line a violation prints.
 * Type-only imports count: a layer that needs another's types depends on it.
 */

/**
 * Pure layers: no I/O, no clock, no process — data in, data out. Of src/chat, all but the one
 * module that implements its crypto port on node:crypto.
 */
const PURE =
  '^src/(plan|workflow|listener|clock|ports|schedule|engine/policy|report|progress)/|^src/chat/(?!node-chat-crypto[.]ts$)';
/** Where I/O happens, or the things that do it are chosen. */
const IO_LAYERS = [
  '^src/(app|cli|serve|adapters|probes|demo|config|alert-gate)/',
  '^src/index[.]ts$',
  '^src/log/index[.]ts$',
  '^mocks/',
];

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A module cycle: two layers (or two modules of one) that depend on each other.',
      severity: 'error',
      from: { path: '^(src|mocks)/' },
      to: { circular: true },
    },
    {
      name: 'pure-no-node',
      comment:
        'The planner, the workflow, listener/, clock/, ports/, schedule/, the engine policies, report/, progress/ and chat/ (but node-chat-crypto.ts) are pure: no node:* module. Pass data in; do I/O at the edges.',
      severity: 'error',
      from: { path: PURE },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'pure-no-io-layer',
      comment:
        'A pure layer imports no layer that does I/O (app, cli, adapters, probes, demo, config, the logger, mocks).',
      severity: 'error',
      from: { path: PURE },
      to: { path: IO_LAYERS },
    },
    {
      name: 'pure-no-io-package',
      comment:
        'A pure layer uses no package but zod and yaml (which only parse); schedule/ has its own rule.',
      severity: 'error',
      from: { path: PURE, pathNot: '^src/schedule/' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-optional',
          'npm-peer',
          'npm-no-pkg',
          'npm-unknown',
        ],
        pathNot: '^node_modules/(zod|yaml)/',
      },
    },
    {
      name: 'schedule-packages',
      comment:
        'schedule/ is pure: of the packages it uses zod, and croner only to compute dates (never started: no timers).',
      severity: 'error',
      from: { path: '^src/schedule/' },
      to: {
        dependencyTypes: [
          'npm',
          'npm-dev',
          'npm-optional',
          'npm-peer',
          'npm-no-pkg',
          'npm-unknown',
        ],
        pathNot: '^node_modules/(zod|croner)/',
      },
    },
    {
      name: 'pure-not-engine',
      comment:
        'The planner, the workflow, listener/, clock/, ports/ and schedule/ do not know the engine: it executes plans, they make them or say when.',
      severity: 'error',
      from: { path: '^src/(plan|workflow|listener|clock|ports|schedule)/' },
      to: { path: '^src/engine/' },
    },
    {
      name: 'chat-stands-apart',
      comment:
        'src/chat (request checks, commands, authorization, approvals) knows only itself, the error model and the port types: serve adapts it to the use cases.',
      severity: 'error',
      from: { path: '^src/chat/' },
      to: { path: '^src/', pathNot: ['^src/chat/', '^src/errors/', '^src/ports/'] },
    },
    {
      name: 'policy-only-policy',
      comment:
        "The engine's policies are pure tables: of the engine they know only each other, the journal's entry types and the state folded from it.",
      severity: 'error',
      from: { path: '^src/engine/policy/' },
      to: {
        path: '^src/engine/',
        pathNot: ['^src/engine/policy/', '^src/engine/journal/(entries|run-state)[.]ts$'],
      },
    },
    {
      name: 'progress-reads-the-journal',
      comment:
        "progress/ shows a run from its journal: of the engine it knows only the journal's entry types, the state folded from them and the node machine; the timeline model comes from report/.",
      severity: 'error',
      from: { path: '^src/progress/' },
      to: {
        path: '^src/engine/',
        pathNot: '^src/engine/(journal/(entries|run-state)|policy/node-machine)[.]ts$',
      },
    },
    {
      name: 'planner-not-up',
      comment: 'The planner does not import the engine, adapters, probes or the app.',
      severity: 'error',
      from: { path: '^src/plan/' },
      to: { path: '^src/(engine|adapters|probes|app|cli|demo)/' },
    },
    {
      name: 'workflow-not-planner',
      comment: 'The workflow says what a file may say; the planner reads it, not the other way.',
      severity: 'error',
      from: { path: '^src/workflow/' },
      to: { path: '^src/plan/' },
    },
    {
      name: 'ports-types-only',
      comment:
        'src/ports holds interfaces and plain types only: it imports nothing outside itself.',
      severity: 'error',
      from: { path: '^src/ports/' },
      to: { pathNot: '^src/ports/' },
    },
    {
      name: 'ports-imported-as-types',
      comment: 'src/ports holds types only: import it with `import type`.',
      severity: 'error',
      from: { pathNot: '^src/ports/' },
      to: { path: '^src/ports/', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'shared-rules-on-ports-only',
      comment:
        'listener/ and clock/ hold rules that layers which may not import each other share: they depend on src/ports alone.',
      severity: 'error',
      from: { path: '^src/(listener|clock)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/ports/'] },
    },
    {
      name: 'adapters-apart',
      comment:
        "An adapter folder (aliyun, ssh, local, nginx, haproxy) does not import another's, nor adapters/index.ts: the composition root combines them. Shared pieces sit at the top of adapters/ (long-timer.ts, self-run-balancer.ts).",
      severity: 'error',
      from: { path: '^src/adapters/([^/]+)/' },
      to: {
        path: '^src/adapters/',
        pathNot: [
          '^src/adapters/$1/',
          '^src/adapters/long-timer[.]ts$',
          '^src/adapters/self-run-balancer[.]ts$',
        ],
      },
    },
    {
      name: 'adapters-implement-ports',
      comment:
        'Adapters implement ports: they do not import the engine, the planner, probes, the app, the CLI, the demo or the emulator.',
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: ['^src/(engine|plan|probes|app|cli|demo)/', '^mocks/'] },
    },
    {
      name: 'adapters-not-workflow',
      comment: "Adapters take the workflow's CIDR parser and nothing else of it.",
      severity: 'error',
      from: { path: '^src/adapters/' },
      to: { path: '^src/workflow/', pathNot: '^src/workflow/cidr[.]ts$' },
    },
    {
      name: 'alert-gate-at-the-edge',
      comment:
        "The alert gate asks Prometheus: it takes the workflow's alertGate schema, ports, errors and the logger, never the engine, the planner, probes, adapters, the app, the CLI, the demo or the emulator.",
      severity: 'error',
      from: { path: '^src/alert-gate/' },
      to: {
        path: [
          '^src/(engine|plan|probes|adapters|app|cli|demo|schedule|notify|serve)/',
          '^mocks/',
          '^src/workflow/',
        ],
        pathNot: '^src/workflow/schema/(alert-gate|common)-schema[.]ts$',
      },
    },
    {
      name: 'probes-observe',
      comment:
        "Probes observe: they use the SSH adapter's connection, never the engine, the planner, the app, the CLI, the demo, the emulator or another adapter.",
      severity: 'error',
      from: { path: '^src/probes/' },
      to: {
        path: ['^src/(engine|plan|app|cli|demo)/', '^mocks/', '^src/adapters/'],
        pathNot: '^src/adapters/ssh/',
      },
    },
    {
      name: 'notify-apart',
      comment:
        'Notifications know the events (src/ports) and the channel schema (the workflow): never the engine, adapters, probes, the app, the CLI, the demo or the emulator.',
      severity: 'error',
      from: { path: '^src/notify/' },
      to: { path: ['^src/(engine|adapters|probes|app|cli|demo|plan)/', '^mocks/'] },
    },
    {
      name: 'engine-through-ports',
      comment:
        'The engine touches the world through ports: it does not import adapters, probes, the app, the CLI, the demo, the emulator or the workflow (it executes the plan).',
      severity: 'error',
      from: { path: '^src/engine/' },
      to: { path: ['^src/(adapters|probes|app|cli|demo|workflow)/', '^mocks/'] },
    },
    {
      name: 'composition-root-only',
      comment:
        'Only src/app/composition-root.ts chooses adapters; the other use cases get their ports from it.',
      severity: 'error',
      from: { path: '^src/app/', pathNot: '^src/app/composition-root[.]ts$' },
      to: { path: '^src/adapters/' },
    },
    {
      name: 'demo-below-app',
      comment: "The demo's parts do not import the app or the CLI: app/demo.ts is its entry point.",
      severity: 'error',
      from: { path: '^src/demo/' },
      to: { path: '^src/(app|cli)/' },
    },
    {
      name: 'cli-through-app',
      comment:
        'The CLI parses flags and renders: it calls src/app, never the engine, adapters, probes, the demo or the emulator directly.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: ['^src/(engine|adapters|probes|demo)/', '^mocks/'] },
    },
    {
      name: 'serve-through-app',
      comment:
        'drainctl serve is an entry point like the CLI: it calls src/app, never the engine, adapters, probes, the demo or the emulator directly.',
      severity: 'error',
      from: { path: '^src/serve/' },
      to: { path: ['^src/(engine|adapters|probes|demo|cli)/', '^mocks/'] },
    },
    {
      name: 'only-serve-command-loads-serve',
      comment:
        'src/serve is loaded by `drainctl serve` (and `drainctl schema serve`) alone: other entry points and layers never import it.',
      severity: 'error',
      from: {
        path: '^src/',
        pathNot: ['^src/serve/', '^src/cli/commands/(serve|schema)[.]ts$'],
      },
      to: { path: '^src/serve/' },
    },
    {
      name: 'nothing-imports-cli',
      comment: 'Nothing in src/ imports src/cli: entry points sit on the app, never on each other.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
    {
      name: 'foundations-stand-alone',
      comment: 'errors/, log/ and config/ are used by every folder and import none but errors/.',
      severity: 'error',
      from: { path: '^src/(errors|log|config)/' },
      to: { path: ['^src/', '^mocks/'], pathNot: ['^src/$1/', '^src/errors/'] },
    },
    {
      name: 'emulator-independent',
      comment:
        'The emulator never imports from src/: two independent implementations check each other.',
      severity: 'error',
      from: { path: '^mocks/' },
      to: { path: '^src/' },
    },
    {
      name: 'no-tests-in-code',
      comment: 'src/ and mocks/ never import test/ or bench/.',
      severity: 'error',
      from: { path: '^(src|mocks)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'tests-share-through-support',
      comment:
        'A test takes shared code from test/support (#support/…) and, of the other test folders, only a file beside it: code two test folders share belongs in test/support.',
      severity: 'error',
      from: { path: '^(test/(?:unit|integration|e2e)[^.]*)/[^/]+$' },
      to: { path: '^test/', pathNot: ['^$1/[^/]+$', '^test/support/'] },
    },
    {
      name: 'support-stands-alone',
      comment: 'test/support serves the tests: it imports no test folder.',
      severity: 'error',
      from: { path: '^test/support/' },
      to: { path: '^test/', pathNot: '^test/support/' },
    },
    {
      name: 'resolvable',
      comment: 'An import that resolves to no file.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
