import { ALL_COMPONENTS, collect, defaultStateDir, hostInventory, scan, type ScanReport } from '@locus/agent';
import type { Io } from '../io.js';
import { parseCommandArgs } from './args.js';
import { HOSTNAME_HELP, collectFailure, hostnameOf } from './agent-common.js';

const NAME = 'locus agent scan';

export const HELP = `Usage: ${NAME} [--simulate SPEC] [--json] [--state-dir DIR]

Reads every GPU once (read-only), runs every health check, and prints what it found: one row
per GPU, then each finding that is not healthy with the suggested action. Sends nothing.
The driver is read through NVML (libnvidia-ml.so.1) when it loads, else through
\`nvidia-smi -q -x\`; Xid events come from the kernel log (dmesg or journalctl -k).

Options:
  --simulate SPEC   a simulated host instead of the real driver, e.g. 8xH100, 8xH200, 8xB200,
                    4xH100,4xH200; faults come from \`locus agent inject-fault\`
  --json            print one JSON document (host, GPUs with metrics and per-check health)
  --state-dir DIR   agent state (default $LOCUS_AGENT_STATE_DIR, else ~/.locus/agent)
  -h, --help        show this help

Environment: LOCUS_NVML_LIBRARY names the NVML library to load instead of libnvidia-ml.so.1.
${HOSTNAME_HELP}
Health checks: ${ALL_COMPONENTS.map((c) => c.name).join(', ')}.
Exit codes: 0 scanned (whatever the health); 1 no GPU driver (neither NVML nor nvidia-smi);
2 bad input. \`locus agent precheck\` says what is missing on a host that should have one.
`;

function table(report: ScanReport, notes: readonly string[]): string {
  const rows = report.gpus.map((g) => {
    const s = g.sample;
    return [
      String(g.index),
      g.present ? (g.name ?? '?') : '(not answering)',
      g.uuid.length > 16 ? `${g.uuid.slice(0, 15)}…` : g.uuid,
      s?.temperatureC == null ? '-' : `${s.temperatureC} C`,
      s?.powerDrawW == null ? '-' : `${Math.round(s.powerDrawW)}/${s.powerLimitW ?? '?'} W`,
      s?.gpuUtilizationPct == null ? '-' : `${s.gpuUtilizationPct}%`,
      g.health,
      g.suggestedAction ?? '-',
    ];
  });
  const header = ['GPU', 'NAME', 'UUID', 'TEMP', 'POWER', 'UTIL', 'HEALTH', 'ACTION'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  const findings = report.components.flatMap((c) =>
    c.results.filter((r) => r.health !== 'healthy').map((r) => `  ${r.gpu === undefined ? 'host ' : `GPU ${r.gpu}`}  ${c.name}: ${r.reason}${r.suggestedAction && r.suggestedAction !== 'none' ? ` → ${r.suggestedAction.replace('_', ' ')}` : ''} (${r.health})`),
  );
  return [
    line(header),
    ...rows.map(line),
    '',
    findings.length > 0 ? 'Findings:' : 'All checks healthy.',
    ...findings,
    '',
    `host health: ${report.health}; source ${report.source}${report.driverVersion ? `, driver ${report.driverVersion}` : ''}`,
    ...notes.map((n) => `note: ${n}`),
    '',
  ].join('\n');
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const v = parseCommandArgs(NAME, args, { simulate: { type: 'string' }, json: { type: 'boolean' }, 'state-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  let collected;
  try {
    collected = await collect({ simulate: v.simulate, stateDir: v['state-dir'] ?? defaultStateDir(io.env), now: new Date(), nvmlLibrary: io.env.LOCUS_NVML_LIBRARY });
  } catch (error) {
    throw collectFailure(NAME, error, 'Run `locus agent precheck` to see what is missing, or try Locus without a GPU: locus agent scan --simulate 8xH100');
  }
  const report = scan(collected.snapshot, ALL_COMPONENTS);
  if (v.json) {
    const gpus = report.gpus.map(({ sample, ...g }) => ({ ...g, metrics: sample ? (({ identity: _identity, ...metrics }) => metrics)(sample) : null }));
    io.stdout(`${JSON.stringify({ host: hostInventory({ hostname: hostnameOf(io) }), ...report, gpus, notes: collected.notes }, null, 2)}\n`);
  } else {
    io.stdout(table(report, collected.notes));
  }
  return 0;
}
