import type { Io } from '../io.js';
import { serverV8Flags } from '../relaunch.js';

/** A subcommand: its place in the tree, a one-line summary, and its code, loaded on demand. */
export interface CommandSpec {
  readonly path: readonly string[];
  readonly summary: string;
  readonly load: () => Promise<{ readonly run: (args: readonly string[], io: Io) => Promise<number> }>;
  /** V8 flags the command runs with, from the environment; `locus` re-launches itself to add those it lacks (relaunch.ts). */
  readonly v8Flags?: (env: Readonly<Record<string, string | undefined>>) => readonly string[];
}

export const COMMANDS: readonly CommandSpec[] = [
  {
    path: ['geo', 'verify'],
    summary: 'Turn landmark RTTs into feasible regions and country verdicts.',
    load: () => import('./geo-verify.js'),
  },
  {
    path: ['geo', 'plan'],
    summary: 'Choose landmark sites so that the most hosts can be proven outside restricted countries.',
    load: () => import('./geo-plan.js'),
  },
  {
    path: ['geo', 'coverage'],
    summary: 'Map where a well-connected host could be proven outside restricted countries.',
    load: () => import('./geo-coverage.js'),
  },

  {
    path: ['landmark', 'keygen'],
    summary: "Create a landmark's signing key.",
    load: () => import('./landmark-keygen.js'),
  },
  {
    path: ['landmark', 'serve'],
    summary: 'Run a landmark: time signed challenges to connected hosts.',
    load: () => import('./landmark-serve.js'),
  },
  {
    path: ['landmark', 'calibrate'],
    summary: "Check a landmark's place against its peers' RTTs.",
    load: () => import('./landmark-calibrate.js'),
  },
  {
    path: ['agent', 'scan'],
    summary: 'Read every GPU once and run the health checks (read-only).',
    load: () => import('./agent-scan.js'),
  },
  {
    path: ['agent', 'enroll'],
    summary: 'Opt this host in: make its key and register it with a server.',
    load: () => import('./agent-enroll.js'),
  },
  {
    path: ['agent', 'run'],
    summary: 'Run the agent: sample, queue, send; answer landmark challenges.',
    load: () => import('./agent-run.js'),
  },
  {
    path: ['agent', 'status'],
    summary: "Show this agent's enrollment and queue.",
    load: () => import('./agent-status.js'),
  },
  {
    path: ['agent', 'show-payload'],
    summary: 'Print exactly the payload the agent sends next.',
    load: () => import('./agent-show-payload.js'),
  },
  {
    path: ['agent', 'unenroll'],
    summary: 'Leave the server and delete the local identity and queue.',
    load: () => import('./agent-unenroll.js'),
  },
  {
    path: ['agent', 'precheck'],
    summary: 'Say what this host lacks for the agent (driver, NVML, permissions, clock, network).',
    load: () => import('./agent-precheck.js'),
  },
  {
    path: ['agent', 'bench'],
    summary: "Measure the agent's cost on this host (CPU per cycle, memory, payload; NVML vs nvidia-smi).",
    load: () => import('./agent-bench.js'),
  },
  {
    path: ['agent', 'clear-xids'],
    summary: 'Stop counting the Xid events logged so far (after a GPU reset they asked for).',
    load: () => import('./agent-clear-xids.js'),
  },
  {
    path: ['agent', 'inject-fault'],
    summary: 'Make the simulated host show a fault (Xid, ECC, thermal, …).',
    load: () => import('./agent-inject-fault.js'),
  },
  {
    path: ['server', 'start'],
    summary: 'Run the fleet server (API, verdicts, proofs).',
    load: () => import('./server-start.js'),
    v8Flags: serverV8Flags,
  },
  {
    path: ['server', 'migrate'],
    summary: "Bring the server's database schema up to date.",
    load: () => import('./server-migrate.js'),
  },
  {
    path: ['admin', 'create-token'],
    summary: "Make an API token in the server's database (first owner, automation).",
    load: () => import('./admin-create-token.js'),
  },
  {
    path: ['proof', 'verify'],
    summary: 'Check a location proof bundle offline.',
    load: () => import('./proof-verify.js'),
  },
  {
    path: ['report', 'verify'],
    summary: 'Check a signed fleet report against its detached signature.',
    load: () => import('./report-verify.js'),
  },
  {
    path: ['start'],
    summary: 'Run a live Locus world in one process (what `npm start` runs).',
    load: () => import('./start.js'),
  },
  {
    path: ['demo'],
    summary: 'Verify a built-in demo fleet offline, from synthetic RTTs.',
    load: () => import('./demo.js'),
  },
];
