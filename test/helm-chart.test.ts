import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments, stringify } from 'yaml';
import { TemplateError, mergeValues, renderTemplate, type Scope } from './support/helm-template.js';
import { validateObject, type Container, type K8sObject, type PodSpec } from './support/k8s-schemas.js';
import { locusHelpShim } from './support/locus-shim.js';
import { ALL_COMPONENTS, createAgentMetrics, parseFleetSpec, parseListen, scan } from '@locus/agent';
import { CLAIM_VERDICT, HEALTH, PROTOCOL_ERRORS, RESTRICTED_VERDICT } from '@locus/protocol';
import { createLandmarkMetrics } from '@locus/landmark';
import { migrateToLatest, openStorage } from '@locus/storage';
import { BACKGROUND_TASKS, ServerMetrics } from '../apps/server/src/metrics.js';
import { fleetMetrics } from '../apps/server/src/fleet-metrics.js';
import { reposOf } from '../apps/server/src/repos.js';
import type { FleetSpec } from '../apps/agent/src/simulator/models.js';
import { simulateHost } from '../apps/agent/src/simulator/simulate.js';

/**
 * deploy/helm/locus rendered as `helm template` would (helm is not in Debian; see
 * test/support/helm-template.ts for the subset), every object checked against the schema of its
 * kind, and the objects checked against each other: what the probes, Services, mounts and
 * secret references name exists.
 */
const chartDir = join(resolve(fileURLToPath(import.meta.url), '../..'), 'deploy/helm/locus');
const chart = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as { name: string; version: string; appVersion: string; apiVersion: string };
const defaults = parse(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>;
const templates = readdirSync(join(chartDir, 'templates')).filter((f) => f.endsWith('.yaml'));

/** A file of the chart, as .Files.Get reads it (never one under templates/, as in Helm). */
const chartFile = (path: string): string => {
  if (path.startsWith('templates/') || path.includes('..')) throw new TemplateError(`.Files.Get cannot read ${path}`);
  return readFileSync(join(chartDir, path), 'utf8');
};

function render(values: Record<string, unknown> = {}, release = 'fleet'): K8sObject[] {
  const scope: Scope = { Values: mergeValues(defaults, values), Release: { Name: release, Namespace: 'locus', Service: 'Helm' }, Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion }, Files: { Get: chartFile } };
  return templates.flatMap((file) =>
    parseAllDocuments(renderTemplate(readFileSync(join(chartDir, 'templates', file), 'utf8'), scope)).flatMap((doc) => {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const object: unknown = doc.toJS();
      return object === null ? [] : [validateObject(object)];
    }),
  );
}

const find = <K extends K8sObject['kind']>(objects: K8sObject[], kind: K, name: string) => objects.find((o): o is Extract<K8sObject, { kind: K }> => o.kind === kind && o.metadata.name === name);
const pods = (objects: K8sObject[]) => objects.flatMap((o) => ('spec' in o && 'template' in o.spec ? [{ owner: o, spec: o.spec.template.spec as PodSpec, labels: o.spec.template.metadata.labels }] : []));
const containersOf = (spec: PodSpec): Container[] => [...(spec.initContainers ?? []), ...spec.containers];
const envOf = (c: Container, name: string) => c.env?.find((e) => e.name === name);

const SETUPS = {
  defaults: {},
  'bundled PostgreSQL': { postgres: { enabled: true, password: 'hunter2x' }, server: { replicas: 2 } },
  'external PostgreSQL': { server: { databaseUrl: 'postgres://locus:pw@db.internal:5432/locus', adminToken: 'locus_owner_token', args: ['--trust-proxy', '10.0.0.0/8', '--raw-retention-days', '30', '--silent-after-minutes', '10', '--alert-sweep-minutes', '15'] }, agent: { serverUrl: 'https://locus.example.com', claim: 'DE', nvmlLibraryHostDir: '/usr/lib/x86_64-linux-gnu', runtimeClassName: '' } },
  'Prometheus Operator': {
    server: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' }, fleetTokenSecret: 'locus-viewer-token' }, prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } }, grafanaDashboard: { enabled: true } },
    agent: { metrics: { enabled: true, podMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } }, prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } },
  },
  'landmark, no agent': { landmark: { enabled: true, id: 'fra-1', lat: '50.1109', lon: '8.6821', country: 'DE', keySecret: 'fra-1-key' }, agent: { enabled: false } },
  'landmark with metrics': { landmark: { enabled: true, id: 'fra-1', lat: '50.1109', lon: '8.6821', country: 'DE', keySecret: 'fra-1-key', metrics: { enabled: true, podMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } } },
} as const;

describe.each(Object.entries(SETUPS))('the chart rendered with %s', (_, values) => {
  const objects = render(values);

  it('gives objects that each match the schema of their kind, with unique names', () => {
    expect(objects.length).toBeGreaterThanOrEqual(3);
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const o of objects) expect(o.metadata.labels?.['app.kubernetes.io/instance']).toBe('fleet');
  });

  it('selects its own pods, and mounts and probes only what the pod declares', () => {
    for (const { owner, spec, labels } of pods(objects)) {
      expect(owner.spec && 'selector' in owner.spec ? owner.spec.selector.matchLabels : undefined).toEqual(labels);
      const claims = owner.kind === 'StatefulSet' ? owner.spec.volumeClaimTemplates.map((t) => t.metadata.name) : [];
      const volumes = new Set([...(spec.volumes?.map((v) => v.name) ?? []), ...claims]);
      for (const c of containersOf(spec)) {
        for (const m of c.volumeMounts ?? []) expect(volumes.has(m.name), `${owner.metadata.name}/${c.name} mounts ${m.name}`).toBe(true);
        const ports = new Set(c.ports?.map((p) => p.name));
        for (const p of [c.livenessProbe, c.readinessProbe]) {
          const port = p?.httpGet?.port ?? p?.tcpSocket?.port;
          if (typeof port === 'string') expect(ports.has(port), `${c.name} probes port ${port}`).toBe(true);
        }
      }
      for (const v of spec.volumes ?? []) if (v.persistentVolumeClaim) expect(find(objects, 'PersistentVolumeClaim', v.persistentVolumeClaim.claimName)).toBeDefined();
    }
  });

  it('points every Service at pods that have its target port', () => {
    for (const service of objects.filter((o) => o.kind === 'Service')) {
      const matching = pods(objects).filter(({ labels }) => Object.entries(service.spec.selector).every(([k, v]) => labels[k] === v));
      expect(matching, service.metadata.name).toHaveLength(1);
      const ports = matching[0]!.spec.containers.flatMap((c) => c.ports ?? []);
      for (const p of service.spec.ports) expect(ports.some((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort)).toBe(true);
    }
  });

  it('points every PodMonitor at pods that have its port', () => {
    for (const monitor of objects.filter((o) => o.kind === 'PodMonitor')) {
      const matching = pods(objects).filter(({ labels }) => Object.entries(monitor.spec.selector.matchLabels).every(([k, v]) => labels[k] === v));
      expect(matching, monitor.metadata.name).toHaveLength(1);
      const ports = matching[0]!.spec.containers.flatMap((c) => c.ports ?? []);
      for (const e of monitor.spec.podMetricsEndpoints) expect(ports.map((p) => p.name)).toContain(e.port);
    }
  });

  it('reads secrets that the chart makes (or are optional), and keys that they hold', () => {
    for (const { spec } of pods(objects)) {
      for (const e of containersOf(spec).flatMap((c) => c.env ?? [])) {
        const ref = e.valueFrom?.secretKeyRef;
        if (!ref) continue;
        const secret = find(objects, 'Secret', ref.name);
        expect(secret, ref.name).toBeDefined();
        if (!ref.optional) expect(Object.keys(secret!.stringData ?? {})).toContain(ref.key);
      }
    }
  });

  it('runs nothing privileged; as root only the agent, holding SYSLOG alone, its enroll step, holding nothing, and the step that hands them their state directory', () => {
    // Kubernetes has no ambient capabilities: SYSLOG added for any other user would not be effective.
    const rootCapabilities: Record<string, string[] | undefined> = { 'state-dir': ['CHOWN', 'FOWNER'], enroll: undefined, agent: ['SYSLOG'] };
    for (const { owner, spec } of pods(objects)) {
      for (const c of containersOf(spec)) {
        expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
        expect(c.securityContext.capabilities.drop).toEqual(['ALL']);
        const uid = c.securityContext.runAsUser ?? spec.securityContext.runAsUser;
        if (uid === 0) {
          expect(owner.metadata.name).toBe('fleet-agent');
          expect(Object.keys(rootCapabilities)).toContain(c.name);
          expect(c.securityContext.capabilities.add, c.name).toEqual(rootCapabilities[c.name]);
        } else {
          expect(c.securityContext.runAsNonRoot ?? spec.securityContext.runAsNonRoot).toBe(true);
          expect(c.securityContext.capabilities.add, c.name).toBeUndefined();
        }
      }
    }
  });

  it('runs `locus` command lines that the CLI accepts', () => {
    const shim = locusHelpShim();
    for (const { spec } of pods(objects)) {
      for (const c of containersOf(spec).filter((x) => x.command?.[0] === 'locus' || x.command?.join(' ').includes('exec locus'))) {
        const env = Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value ?? 'from-a-secret']));
        const run = spawnSync(c.command![0]!, [...c.command!.slice(1), ...(c.args ?? [])], { encoding: 'utf8', env: { ...env, PATH: `${shim}:/usr/bin:/bin` } });
        expect(run.stderr, c.name).toBe('');
        expect(run.status, c.name).toBe(0);
        expect(run.stdout).toMatch(/^Usage: locus /);
      }
    }
  });
});

describe('the server', () => {
  it('passes server.singleThreadedGc on as LOCUS_SINGLE_THREADED_GC (a pod limited to 2 CPUs sees the node\'s cores)', () => {
    const c = find(render({ server: { singleThreadedGc: 'on' } }), 'Deployment', 'fleet-server')!.spec.template.spec.containers[0]!;
    expect(envOf(c, 'LOCUS_SINGLE_THREADED_GC')?.value).toBe('on');
  });

  it('passes extra arguments to `locus server start`', () => {
    const args = ['--trust-proxy', '10.0.0.0/8', '--raw-retention-days', '30'];
    expect(find(render({ server: { args } }), 'Deployment', 'fleet-server')!.spec.template.spec.containers[0]!.args).toEqual(args);
    expect(find(render(), 'Deployment', 'fleet-server')!.spec.template.spec.containers[0]!.args).toEqual([]);
  });

  it('annotates its pods only when asked (a Prometheus that discovers pods by annotation)', () => {
    const annotations = (values?: Record<string, unknown>) => find(render(values), 'Deployment', 'fleet-server')!.spec.template.metadata.annotations;
    expect(annotations()).toBeUndefined();
    const scrape = { 'prometheus.io/scrape': 'true', 'prometheus.io/port': '8080', 'prometheus.io/path': '/metrics' };
    expect(annotations({ server: { podAnnotations: scrape } })).toEqual(scrape);
  });

  it('on SQLite by default: one replica replaced by Recreate, its data on a claim, probes on /healthz and /readyz', () => {
    const objects = render();
    const server = find(objects, 'Deployment', 'fleet-server')!;
    expect(server.spec.strategy.type).toBe('Recreate');
    const c = server.spec.template.spec.containers[0]!;
    expect(c.image).toBe(`locus-server:${chart.appVersion}`);
    expect(c.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'http' });
    expect(c.readinessProbe?.httpGet).toEqual({ path: '/readyz', port: 'http' });
    expect(c.ports).toEqual([{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
    expect(envOf(c, 'PORT')?.value).toBe('8080');
    expect(envOf(c, 'LOCUS_SINGLE_THREADED_GC')?.value).toBe('auto');
    expect(find(objects, 'PersistentVolumeClaim', 'fleet-server-data')).toBeDefined();
    expect(find(objects, 'Secret', 'fleet-locus')!.stringData).toBeNull();
    expect(find(objects, 'StatefulSet', 'fleet-postgres')).toBeUndefined();
  });

  it('with the bundled PostgreSQL: a StatefulSet behind a headless Service, and the URL to it in the secret', () => {
    const objects = render(SETUPS['bundled PostgreSQL']);
    const pg = find(objects, 'StatefulSet', 'fleet-postgres')!;
    expect(find(objects, 'Service', pg.spec.serviceName)!.spec.clusterIP).toBe('None');
    expect(find(objects, 'Secret', 'fleet-locus')!.stringData).toEqual({ 'database-url': 'postgres://locus:hunter2x@fleet-postgres:5432/locus', 'postgres-password': 'hunter2x' });
    const server = find(objects, 'Deployment', 'fleet-server')!;
    expect(server.spec.strategy.type).toBe('RollingUpdate');
    expect(server.spec.replicas).toBe(2);
    expect(find(objects, 'PersistentVolumeClaim', 'fleet-server-data')).toBeUndefined();
  });

  it('with an external database: no bundled PostgreSQL, the URL and the admin token in the secret', () => {
    const objects = render(SETUPS['external PostgreSQL']);
    expect(objects.some((o) => o.metadata.name === 'fleet-postgres')).toBe(false);
    expect(find(objects, 'Secret', 'fleet-locus')!.stringData).toEqual({ 'admin-token': 'locus_owner_token', 'database-url': 'postgres://locus:pw@db.internal:5432/locus' });
  });

  it.each([
    [{ postgres: { enabled: true } }, 'postgres.password is required'],
    [{ landmark: { enabled: true, id: 'x', lat: '1', lon: '2', country: 'DE' } }, 'landmark.keySecret is required'],
    [{ landmark: { enabled: true, keySecret: 'k' } }, 'landmark.id is required'],
  ])('refuses to render %j: %s', (values, message) => {
    expect(() => render(values)).toThrow(message);
  });
});

/** Every metric family the server exposes, on /metrics and on the fleet scrape, with its label names (and Prometheus's own up). */
async function exposedFamilies(): Promise<Map<string, readonly string[]>> {
  const storage = await openStorage('sqlite::memory:');
  await migrateToLatest(storage);
  const families = new Map<string, readonly string[]>([['up', ['job']]]);
  try {
    const landmark = createLandmarkMetrics({ id: 'x', name: 'x', country: 'DE', lat: 0, lon: 0, publicKey: 'k' }, { hosts: () => 0, queued: () => 0, now: () => 0 }).registry;
    const registries = [new ServerMetrics('test').registry, await fleetMetrics(reposOf(storage), { orgId: 'default', inventory: true, now: 0 }), landmark];
    for (const m of registries.flatMap((r) => r.getMetricsAsArray())) families.set(m.name, (m as unknown as { labelNames: readonly string[] }).labelNames);
  } finally {
    await storage.close();
  }
  return families;
}

/** Every value a PromQL expression matches a label on must be one the series takes: a misspelt state never fires. */
const LABEL_VALUES: Record<string, readonly string[]> = {
  'locus_node_restricted.state': [...RESTRICTED_VERDICT.options, 'none'],
  'locus_node_claim.state': [...CLAIM_VERDICT.options, 'none'],
  'locus_node_gpus.health': HEALTH.options,
  'locus_ingest_batches_total.result': ['stored', 'duplicate', 'overloaded', 'refused'],
  'locus_landmark_delivery_measurements_total.result': ['delivered', 'refused', 'rejected', 'dropped'],
  'locus_landmark_host_problems_total.code': Object.keys(PROTOCOL_ERRORS),
  'locus_webhook_attempts_total.outcome': ['delivered', 'retry', 'failed'],
  'locus_background_task_seconds.task': BACKGROUND_TASKS,
  // The route label is the route's pattern (apps/server/src/operations.test.ts reads this one).
  'locus_http_request_duration_seconds.route': ['/api/v1/ingest'],
  'up.job': ['fleet-server', 'fleet-locus-fleet'],
};

/** Checks that an expression names only exposed series (a histogram's by its _bucket, _sum and _count), by labels they carry, with values they take. */
function expectExposed(families: ReadonlyMap<string, readonly string[]>, where: string, expr: string, labelValues: Readonly<Record<string, readonly string[]>> = LABEL_VALUES): void {
  const selectors = [...expr.matchAll(/\b(locus_[a-z0-9_]+|nodejs_[a-z0-9_]+|DCGM_FI_[A-Z0-9_]+|up)\b(?:\{([^}]*)\})?/g)];
  expect(selectors.length, where).toBeGreaterThan(0);
  // The target's labels, which Prometheus adds to every series it scrapes.
  const labels = new Set<string>(['instance', 'job']);
  for (const [, series, matchers] of selectors) {
    const name = families.has(series!) ? series! : series!.replace(/_(bucket|sum|count)$/, '');
    expect(families.has(name), `${where}: ${series}`).toBe(true);
    for (const l of families.get(name)!) labels.add(l);
    if (series!.endsWith('_bucket') && name !== series) labels.add('le');
    for (const [, label, op, value] of (matchers ?? '').matchAll(/([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*"([^"]*)"/g)) {
      expect(families.get(name), `${where}: ${name} has no label ${label}`).toContain(label);
      const known = labelValues[`${name}.${label}`];
      expect(known, `${where}: values of ${name}{${label}} unknown to this test`).toBeDefined();
      for (const v of op!.endsWith('~') ? value!.split('|') : [value!]) expect(known, `${where}: ${name}{${label}="${v}"}`).toContain(v);
    }
  }
  for (const [, list] of expr.matchAll(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/g)) {
    for (const label of list!.split(',').map((l) => l.trim()).filter((l) => l !== '')) expect(labels, `${where}: no series of it has label ${label}`).toContain(label);
  }
}

/**
 * Every metric family `locus agent run --metrics` exposes, with its label names and the values its
 * labels take: a real agent registry after a pass over a simulated 8×H100 host with an Xid logged
 * and a GPU lost (and Prometheus's own up, of the scrape job given).
 */
async function agentExposed(job: string): Promise<{ families: Map<string, readonly string[]>; values: Record<string, readonly string[]> }> {
  const now = new Date('2026-11-29T12:00:00.000Z');
  const at = now.toISOString();
  const snapshot = simulateHost(parseFleetSpec('8xH100') as FleetSpec, 'helm-chart-test', now, [
    { kind: 'xid', xid: 48, gpu: 2, at },
    { kind: 'lost', gpu: 6, at },
  ]);
  const metrics = createAgentMetrics({ hostname: 'gpu-07', outbox: { size: async () => ({ samples: 3, events: 1 }), dropped: { samples: 0, events: 0 } } });
  metrics.collected(snapshot, scan(snapshot, ALL_COMPONENTS), now);
  const families = new Map<string, readonly string[]>([['up', ['job']]]);
  const values = new Map<string, Set<string>>([['up.job', new Set([job])]]);
  for (const m of metrics.registry.getMetricsAsArray()) families.set(m.name, (m as unknown as { labelNames: readonly string[] }).labelNames);
  for (const m of await metrics.registry.getMetricsAsJSON()) {
    for (const { labels } of m.values) for (const [label, value] of Object.entries(labels)) values.set(`${m.name}.${label}`, (values.get(`${m.name}.${label}`) ?? new Set()).add(String(value)));
  }
  return { families, values: Object.fromEntries([...values].map(([key, taken]) => [key, [...taken]])) };
}

/** An alert's annotations as Prometheus expands them for these labels and value; the rules template nothing else. */
function expanded(annotations: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>, value = ''): Record<string, string> {
  return Object.fromEntries(
    Object.entries(annotations).map(([key, text]) => {
      const out = text.replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => labels[label] ?? '').replaceAll('{{ $value }}', value);
      expect(out, `${key}: a template this test does not expand`).not.toContain('{{');
      return [key, out];
    }),
  );
}

const promtool = spawnSync('promtool', ['--version']).status === 0;

/** What `promtool check rules` says of these rule groups; fails the test unless it accepts them. */
function promtoolCheck(groups: unknown): string {
  expect(promtool, 'promtool is not installed (apt-get install prometheus)').toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'locus-rules-'));
  try {
    const file = join(dir, 'rules.yaml');
    writeFileSync(file, stringify({ groups }));
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    return check.stdout + check.stderr;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs `promtool test rules` on these rules (a file's text) and unit tests; fails the test unless every test passes. */
function promtoolTest(rules: string, tests: object): void {
  expect(promtool, 'promtool is not installed (apt-get install prometheus)').toBe(true);
  const dir = mkdtempSync(join(tmpdir(), 'locus-rules-'));
  try {
    writeFileSync(join(dir, 'rules.yml'), rules);
    writeFileSync(join(dir, 'tests.yml'), stringify({ rule_files: ['rules.yml'], evaluation_interval: '1m', ...tests }));
    const run = spawnSync('promtool', ['test', 'rules', 'tests.yml'], { cwd: dir, encoding: 'utf8' });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('with the Prometheus Operator', () => {
  const operator = SETUPS['Prometheus Operator'].server;
  const monitorOf = (objects: K8sObject[]) => find(objects, 'ServiceMonitor', 'fleet-server');
  const rulesOf = (objects: K8sObject[]) => find(objects, 'PrometheusRule', 'fleet-locus');
  const alertsOf = (objects: K8sObject[]) => rulesOf(objects)?.spec.groups.flatMap((g) => g.rules.map((r) => r.alert));

  it('makes neither a ServiceMonitor nor rules unless asked (their CRDs may not be installed)', () => {
    const objects = render();
    expect(objects.filter((o) => o.kind === 'ServiceMonitor' || o.kind === 'PrometheusRule')).toEqual([]);
  });

  it("scrapes the server's own metrics from its Service's pods, with the labels its Prometheus selects by", () => {
    const objects = render({ server: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } });
    const monitor = monitorOf(objects)!;
    const service = find(objects, 'Service', 'fleet-server')!;
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(service.metadata.labels?.[k]).toBe(v);
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(monitor.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    expect(service.spec.ports.map((p) => p.name)).toContain('http');
  });

  it("scrapes an organization's fleet with the token of a Secret, as a job of its own that a rule watches", () => {
    const objects = render({ server: operator });
    const fleet = monitorOf(objects)!.spec.endpoints.find((e) => e.path === '/api/v1/fleet/metrics')!;
    expect(fleet).toMatchObject({ port: 'http', interval: '60s', authorization: { type: 'Bearer', credentials: { name: 'locus-viewer-token', key: 'token' } } });
    expect(fleet.relabelings).toEqual([{ targetLabel: 'job', replacement: 'fleet-locus-fleet' }]);
    const rule = rulesOf(objects)!.spec.groups.flatMap((g) => g.rules).find((r) => r.alert === 'LocusFleetScrapeFailing')!;
    expect(rule.expr).toContain('up{job="fleet-locus-fleet"}');
    // The server's own job is its Service's name, as the operator names it.
    expect(rulesOf(objects)!.spec.groups.flatMap((g) => g.rules).find((r) => r.alert === 'LocusServerDown')!.expr).toContain('up{job="fleet-server"}');
  });

  it('has fleet rules only where the fleet is scraped, and server rules always', () => {
    expect(alertsOf(render({ server: { prometheusRule: { enabled: true } } }))).toEqual(['LocusIngestOverloaded', 'LocusIngestRefused', 'LocusWebhookDeliveriesFailing', 'LocusAlertSweepSlow', 'LocusVerdictsBehind', 'LocusCompactionBehind']);
    expect(alertsOf(render({ server: { ...operator, serviceMonitor: { ...operator.serviceMonitor, fleetTokenSecret: '' } } }))).toEqual(['LocusIngestOverloaded', 'LocusIngestRefused', 'LocusWebhookDeliveriesFailing', 'LocusAlertSweepSlow', 'LocusVerdictsBehind', 'LocusCompactionBehind', 'LocusServerDown', 'LocusAlertSweepStopped']);
    const all = alertsOf(render({ server: operator }))!;
    expect(all).toEqual(expect.arrayContaining(['LocusRestrictedCertain', 'LocusRestrictedNotExcluded', 'LocusClaimContradicted', 'LocusVerdictStale', 'LocusAgentSilent', 'LocusGpuUnhealthy', 'LocusFleetScrapeFailing', 'LocusLandmarkSilent']));
    expect(rulesOf(render({ server: operator }))!.metadata.labels?.release).toBe('kube-prometheus-stack');
  });

  it('names only series that the server exposes, by labels they carry, with values they take', async () => {
    const families = await exposedFamilies();
    for (const { alert, expr } of rulesOf(render({ server: operator }))!.spec.groups.flatMap((g) => g.rules)) expectExposed(families, alert, expr);
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('gives rules that promtool accepts: PromQL and templates (skipped without promtool: apt-get install prometheus)', () => {
    expect(promtoolCheck(rulesOf(render({ server: operator }))!.spec.groups)).toContain('SUCCESS: 18 rules found');
  });

  it.skipIf(!promtool && process.env.CI !== 'true')("fires LocusAgentBatchesRefused for a node refused since its last stored batch, or never stored, by promtool test rules", () => {
    const groups = rulesOf(render({ server: operator }))!.spec.groups;
    const rule = groups.flatMap((g) => g.rules).find((r) => r.alert === 'LocusAgentBatchesRefused')!;
    const annotationsOf = (node: string, id: string, of = rule) => Object.fromEntries(Object.entries(of.annotations!).map(([k, v]) => [k, v.replaceAll('{{ $labels.node }}', node).replaceAll('{{ $labels.node_id }}', id)]));
    const neverAnnotations = annotationsOf('gpu-d', 'd', groups.flatMap((g) => g.rules).find((r) => r.alert === 'LocusAgentNeverReported')!);
    // Two replicas answer the fleet scrape alike. a: refused after its last batch; b: delivered since; c: never stored, refused.
    const series = (name: string, labels: string, values: string) => ['p1', 'p2'].map((pod) => ({ series: `${name}{job="fleet-locus-fleet", pod="${pod}", ${labels}}`, values }));
    promtoolTest(stringify({ groups }), {
      tests: [
        {
          interval: '1m',
          input_series: [
            ...['a', 'b', 'c', 'd'].flatMap((id) => series('locus_node_info', `node_id="${id}", node="gpu-${id}", zone_id="", claimed_country=""`, '1x20')),
            ...series('locus_node_last_batch_timestamp_seconds', 'node_id="a"', '1000x20'),
            ...series('locus_node_last_refused_batch_timestamp_seconds', 'node_id="a"', '2000x20'),
            ...series('locus_node_last_batch_timestamp_seconds', 'node_id="b"', '3000x20'),
            ...series('locus_node_last_refused_batch_timestamp_seconds', 'node_id="b"', '2000x20'),
            ...series('locus_node_last_refused_batch_timestamp_seconds', 'node_id="c"', '2000x20'),
          ],
          alert_rule_test: [
            { eval_time: '3m', alertname: 'LocusAgentBatchesRefused', exp_alerts: [] },
            // d: enrolled, never a batch stored nor refused; a, b and c have one of them.
            { eval_time: '14m', alertname: 'LocusAgentNeverReported', exp_alerts: [] },
            { eval_time: '16m', alertname: 'LocusAgentNeverReported', exp_alerts: [{ exp_labels: { severity: 'warning', node_id: 'd', node: 'gpu-d' }, exp_annotations: neverAnnotations }] },
            {
              eval_time: '10m',
              alertname: 'LocusAgentBatchesRefused',
              exp_alerts: ['a', 'c'].map((id) => ({ exp_labels: { severity: 'warning', node_id: id, node: `gpu-${id}` }, exp_annotations: annotationsOf(`gpu-${id}`, id) })),
            },
          ],
        },
      ],
    });
  });
});

describe('the Grafana dashboard', () => {
  const file = chartFile('dashboards/locus-fleet.json');
  const dashboard = JSON.parse(file) as {
    uid: string;
    title: string;
    templating: { list: { name: string; type: string; query: string }[] };
    panels: { id: number; type: string; title: string; datasource?: { type: string; uid: string }; gridPos: { x: number; y: number; w: number; h: number }; targets?: { expr: string; datasource: { uid: string }; refId: string }[] }[];
  };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const targets = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

  it('is a ConfigMap for Grafana\'s sidecar only when asked, holding the chart\'s dashboard as it is', () => {
    expect(render().filter((o) => o.kind === 'ConfigMap')).toEqual([]);
    const configMap = find(render({ server: { grafanaDashboard: { enabled: true } } }), 'ConfigMap', 'fleet-locus-dashboard')!;
    expect(configMap.metadata.labels).toMatchObject({ grafana_dashboard: '1', 'app.kubernetes.io/instance': 'fleet' });
    expect(configMap.data['locus-fleet.json']).toBe(file.trimEnd());
    const labelled = find(render({ server: { grafanaDashboard: { enabled: true, labels: { grafana_dashboard: '1', team: 'gpu' } } } }), 'ConfigMap', 'fleet-locus-dashboard')!;
    expect(labelled.metadata.labels).toMatchObject({ grafana_dashboard: '1', team: 'gpu' });
  });

  it('asks for its Prometheus data source, and every panel reads from it', () => {
    expect(dashboard).toMatchObject({ uid: 'locus-fleet', title: 'Locus fleet' });
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const p of panels) {
      expect(p.datasource, p.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
      for (const t of p.targets!) expect(t.datasource.uid, p.title).toBe('${datasource}');
      expect(new Set(p.targets!.map((t) => t.refId)).size, p.title).toBe(p.targets!.length);
    }
  });

  it('lays its panels out on the 24-column grid without overlaps, each with its own id', () => {
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    const cells = new Set<string>();
    for (const { title, gridPos: g } of dashboard.panels) {
      expect(g.x >= 0 && g.w > 0 && g.x + g.w <= 24 && g.h > 0, title).toBe(true);
      for (let x = g.x; x < g.x + g.w; x++) {
        for (let y = g.y; y < g.y + g.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps another panel at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
      }
    }
  });

  it('queries only series that the server exposes, by labels they carry, with values they take', async () => {
    const families = await exposedFamilies();
    for (const t of targets) expectExposed(families, t.panel, t.expr);
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('queries in PromQL that promtool accepts (skipped without promtool: apt-get install prometheus)', () => {
    const rules = targets.map((t, i) => ({ record: `locus_dashboard:panel_${i}`, expr: t.expr }));
    expect(promtoolCheck([{ name: 'dashboard', rules }])).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});

describe('the agent DaemonSet', () => {
  const objects = render();
  const agent = find(objects, 'DaemonSet', 'fleet-agent')!;
  const spec = agent.spec.template.spec;
  const main = spec.containers[0]!;

  it('runs on NVIDIA GPU nodes only, tolerating their taint, through the NVIDIA runtime', () => {
    expect(spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.runtimeClassName).toBe('nvidia');
    expect(envOf(main, 'NVIDIA_VISIBLE_DEVICES')?.value).toBe('all');
    expect(envOf(main, 'NVIDIA_DRIVER_CAPABILITIES')?.value).toBe('utility');
  });

  it('writes only its state directory and a scratch /tmp; the kernel log is mounted read-only', () => {
    for (const m of main.volumeMounts!) expect(m.readOnly === true || ['state', 'tmp'].includes(m.name), m.name).toBe(true);
    expect(main.volumeMounts).toContainEqual({ name: 'kmsg', mountPath: '/dev/kmsg', readOnly: true });
    expect(spec.volumes).toContainEqual({ name: 'kmsg', hostPath: { path: '/dev/kmsg', type: 'CharDevice' } });
    expect(main.securityContext).toMatchObject({ readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'], add: ['SYSLOG'] } });
  });

  it('runs the agent and its enroll step as the user that owns the state directory: root for the kernel log, else 10001 with no capability', () => {
    const owners = (daemonSet: NonNullable<ReturnType<typeof find<'DaemonSet'>>>) => {
      const s = daemonSet.spec.template.spec;
      const chown = /chown -R (\d+):(\d+) \/var\/lib\/locus-agent /.exec(s.initContainers!.find((c) => c.name === 'state-dir')!.command!.join(' '))!;
      return { dir: [Number(chown[1]), Number(chown[2])], enroll: s.initContainers!.find((c) => c.name === 'enroll')!.securityContext, agent: s.containers[0]!.securityContext };
    };
    const asRoot = owners(agent);
    expect(asRoot.dir).toEqual([0, 0]);
    for (const c of [asRoot.enroll, asRoot.agent]) expect(c).toMatchObject({ runAsUser: 0, runAsGroup: 0, runAsNonRoot: false, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    const without = owners(find(render({ agent: { kernelLog: false } }), 'DaemonSet', 'fleet-agent')!);
    expect(without.dir).toEqual([10001, 10001]);
    for (const c of [without.enroll, without.agent]) expect(c).toEqual({ runAsUser: 10001, runAsGroup: 10001, runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } });
  });

  it('enrolls once with the token from a Secret against this release’s server', () => {
    const enroll = spec.initContainers!.find((c) => c.name === 'enroll')!;
    expect(enroll.command!.join(' ')).toContain('test -f /var/lib/locus-agent/enrollment.json || exec locus agent enroll');
    expect(envOf(enroll, 'LOCUS_SERVER')?.value).toBe('http://fleet-server:80');
    expect(spec.volumes).toContainEqual({ name: 'enrollment-token', secret: { secretName: 'fleet-agent-enrollment', defaultMode: 0o440 } });
  });

  it('mounts a host driver directory read-only and names the library in it when asked', () => {
    const other = find(render(SETUPS['external PostgreSQL']), 'DaemonSet', 'fleet-agent')!.spec.template.spec;
    expect(other.runtimeClassName).toBeUndefined();
    expect(other.volumes).toContainEqual({ name: 'nvidia-lib', hostPath: { path: '/usr/lib/x86_64-linux-gnu', type: 'Directory' } });
    expect(envOf(other.containers[0]!, 'LOCUS_NVML_LIBRARY')?.value).toBe('/run/locus/nvidia-lib/libnvidia-ml.so.1');
    expect(envOf(other.initContainers![1]!, 'LOCUS_SERVER')?.value).toBe('https://locus.example.com');
  });

  it('passes extra arguments to `locus agent run`', () => {
    const args = ['--landmark', 'wss://fra-1.example/v1/timing'];
    expect(find(render({ agent: { args } }), 'DaemonSet', 'fleet-agent')!.spec.template.spec.containers[0]!.args).toEqual(args);
  });

  it('names the node, not the pod, in what it reports: LOCUS_AGENT_HOSTNAME from spec.nodeName, at enrollment and after', () => {
    const enroll = spec.initContainers!.find((c) => c.name === 'enroll')!;
    for (const c of [main, enroll]) expect(envOf(c, 'LOCUS_AGENT_HOSTNAME'), c.name).toEqual({ name: 'LOCUS_AGENT_HOSTNAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
  });

  it('opens no port and makes no PodMonitor by default', () => {
    expect(main.command).toEqual(['locus', 'agent', 'run']);
    expect(main.ports).toBeUndefined();
    expect(objects.filter((o) => o.kind === 'PodMonitor')).toEqual([]);
  });

  it.each([
    [{ enabled: true }, 9400],
    [{ enabled: true, port: 9500 }, 9500],
  ])('serves metrics on the pod\'s address with %j, on a port named metrics, and makes no PodMonitor unless asked', (metrics, port) => {
    const rendered = render({ agent: { metrics } });
    const c = find(rendered, 'DaemonSet', 'fleet-agent')!.spec.template.spec.containers[0]!;
    expect(c.command).toEqual(['locus', 'agent', 'run', '--metrics', `0.0.0.0:${port}`]);
    expect(parseListen(c.command![4]!)).toEqual({ host: '0.0.0.0', port });
    expect(c.ports).toEqual([{ name: 'metrics', containerPort: port, protocol: 'TCP' }]);
    expect(c.args).toEqual([]);
    expect(rendered.filter((o) => o.kind === 'PodMonitor')).toEqual([]);
  });

  it('makes no PodMonitor when the agent serves no metrics, or there is no agent', () => {
    expect(render({ agent: { metrics: { podMonitor: { enabled: true } } } }).filter((o) => o.kind === 'PodMonitor')).toEqual([]);
    expect(render({ agent: { enabled: false, metrics: { enabled: true, podMonitor: { enabled: true } } } }).filter((o) => o.kind === 'PodMonitor')).toEqual([]);
  });

  it("scrapes every agent pod's metrics port with a PodMonitor when asked, with the labels its Prometheus selects by", () => {
    const rendered = render(SETUPS['Prometheus Operator']);
    const daemonSet = find(rendered, 'DaemonSet', 'fleet-agent')!;
    const monitor = find(rendered, 'PodMonitor', 'fleet-agent')!;
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    expect(Object.entries(monitor.spec.selector.matchLabels).length).toBeGreaterThan(0);
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(daemonSet.spec.template.metadata.labels[k], k).toBe(v);
    // The server's pods share the name and instance labels: the component tells them apart.
    expect(monitor.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('agent');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
    expect(daemonSet.spec.template.spec.containers[0]!.ports?.map((p) => p.name)).toContain('metrics');
    const slower = find(render({ agent: { metrics: { enabled: true, podMonitor: { enabled: true, interval: '1m' } } } }), 'PodMonitor', 'fleet-agent')!;
    expect(slower.spec.podMetricsEndpoints[0]!.interval).toBe('1m');
  });
});

describe("the agent's alerting rules", () => {
  const file = chartFile('rules/locus-agent.rules.yml');
  const operator = SETUPS['Prometheus Operator'].agent;
  const rulesOf = (values: Record<string, unknown>) => render({ agent: values }).filter((o) => o.kind === 'PrometheusRule');
  /** The chart's rules for its agents, with the PodMonitor: the file's and LocusAgentDown. */
  const rendered = () => find(render(SETUPS['Prometheus Operator']), 'PrometheusRule', 'fleet-agent')!.spec.groups;
  const rulesIn = (groups: ReturnType<typeof rendered>) => new Map(groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as const)));
  /** A promtool alert test: these alerts firing (none: quiet), each with its labels and the value its annotations show. */
  const chartRules = rulesIn(rendered());
  const firing = (alertname: string, eval_time: string, alerts: { labels: Record<string, string>; value?: string }[]) => {
    const rule = chartRules.get(alertname)!;
    return { eval_time, alertname, exp_alerts: alerts.map(({ labels, value }) => ({ exp_labels: { severity: rule.labels!.severity!, ...labels }, exp_annotations: expanded(rule.annotations!, labels, value) })) };
  };
  /** An agent scraped by a plain Prometheus job. */
  const target = (host: string) => ({ instance: `${host}:9400`, job: 'agent' });
  const selector = (labels: Record<string, string>) => `{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`;
  const series = (name: string, host: string, values: string, labels: Record<string, string> = {}) => ({ series: `${name}${selector({ ...target(host), ...labels })}`, values });
  const ALERTS = ['LocusAgentNotDelivering', 'LocusAgentDeliveryHeld', 'LocusAgentBatchesDropped', 'LocusAgentOutboxDropping', 'LocusAgentNotCollecting', 'LocusAgentCollectionFailing', 'LocusAgentKernelLogUnreadable', 'LocusAgentGpuUnhealthy', 'LocusAgentComponentUnhealthy', 'LocusAgentComponentDegraded', 'LocusAgentXidError', 'LocusAgentGpusLost'];

  it('makes no rules unless asked, and none without metrics or without agents', () => {
    expect(rulesOf({})).toEqual([]);
    expect(rulesOf({ metrics: { enabled: true } })).toEqual([]);
    expect(rulesOf({ metrics: { enabled: false, prometheusRule: { enabled: true } } })).toEqual([]);
    expect(rulesOf({ enabled: false, metrics: { enabled: true, prometheusRule: { enabled: true } } })).toEqual([]);
  });

  it('makes them from the rule file it ships, with the labels its Prometheus selects rules by', () => {
    const [rule] = rulesOf({ metrics: { enabled: true, prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } });
    expect(rule?.metadata).toMatchObject({ name: 'fleet-agent', labels: { release: 'kube-prometheus-stack', 'app.kubernetes.io/component': 'agent' } });
    // Without the chart's PodMonitor the job is not the chart's to name: the file as it is.
    expect(rule!.spec).toEqual(parse(file));
  });

  it("adds LocusAgentDown on the chart's PodMonitor job, as the operator names it (<namespace>/<name>)", () => {
    const objects = render(SETUPS['Prometheus Operator']);
    const monitor = find(objects, 'PodMonitor', 'fleet-agent')!;
    const rule = find(objects, 'PrometheusRule', 'fleet-agent')!;
    expect(rule.metadata.labels?.release).toBe('kube-prometheus-stack');
    const { groups } = parse(file) as { groups: unknown[] };
    expect(rule.spec.groups.slice(0, groups.length)).toEqual(groups);
    const down = rule.spec.groups.slice(groups.length).flatMap((g) => g.rules);
    expect(down.map((r) => r.alert)).toEqual(['LocusAgentDown']);
    expect(down[0]!.expr).toBe(`up{job="locus/${monitor.metadata.name}"} == 0`);
    const other = find(render({ agent: operator }, 'gpus'), 'PrometheusRule', 'gpus-agent')!;
    expect(other.spec.groups.flatMap((g) => g.rules).find((r) => r.alert === 'LocusAgentDown')!.expr).toBe('up{job="locus/gpus-agent"} == 0');
  });

  it('names only series the agent exposes, by labels they carry, with values they take, and templates only labels its alerts have', async () => {
    const groups = rendered();
    const { families, values } = await agentExposed('locus/fleet-agent');
    expect([...rulesIn(groups).keys()]).toEqual([...ALERTS, 'LocusAgentDown']);
    // The target labels Prometheus adds to every series; the PodMonitor's, to the chart's own rule.
    const podMonitorLabels = ['namespace', 'pod', 'container', 'endpoint'];
    for (const { alert, expr, labels, annotations } of rulesIn(groups).values()) {
      expectExposed(families, alert, expr, values);
      expect(['warning', 'critical'], alert).toContain(labels?.severity);
      const carried = new Set(['instance', 'job', ...(alert === 'LocusAgentDown' ? podMonitorLabels : [])]);
      for (const [, series] of expr.matchAll(/\b(locus_agent_[a-z_]+|DCGM_FI_[A-Z0-9_]+)\b/g)) for (const l of families.get(series!) ?? []) carried.add(l);
      for (const [, label] of Object.values(annotations ?? {}).join(' ').matchAll(/\{\{ \$labels\.(\w+) \}\}/g)) expect([...carried], `${alert} templates $labels.${label}`).toContain(label);
    }
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('ships rules that promtool accepts, as a plain rule file and in the chart (skipped without promtool: apt-get install prometheus)', () => {
    expect(promtoolCheck((parse(file) as { groups: unknown }).groups)).toContain(`SUCCESS: ${ALERTS.length} rules found`);
    expect(promtoolCheck(rendered())).toContain(`SUCCESS: ${ALERTS.length + 1} rules found`);
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('fires on an agent that cannot deliver, one held by its server and batches dropped, not on one that delivers, by promtool test rules', () => {
    promtoolTest(stringify({ groups: rendered() }), {
      tests: [
        {
          interval: '1m',
          input_series: [
            // a: its server went away after a delivery at 1 minute; its outbox fills and drops samples from 20 minutes.
            series('locus_agent_outbox_items', 'a', '1+6x30', { kind: 'sample' }),
            series('locus_agent_outbox_items', 'a', '2x30', { kind: 'event' }),
            series('locus_agent_last_send_success_timestamp_seconds', 'a', '0 60x29'),
            series('locus_agent_delivery_held', 'a', '0x30'),
            series('locus_agent_outbox_dropped_total', 'a', '0x19 500+500x10', { kind: 'sample' }),
            series('locus_agent_outbox_dropped_total', 'a', '0x30', { kind: 'event' }),
            series('locus_agent_batches_refused_total', 'a', '0x30'),
            // b: delivers every minute, with samples waiting between sends; its server refused one batch at 10 minutes.
            series('locus_agent_outbox_items', 'b', '2x30', { kind: 'sample' }),
            series('locus_agent_outbox_items', 'b', '0x30', { kind: 'event' }),
            series('locus_agent_last_send_success_timestamp_seconds', 'b', '0+60x30'),
            series('locus_agent_delivery_held', 'b', '0x30'),
            series('locus_agent_outbox_dropped_total', 'b', '0x30', { kind: 'sample' }),
            series('locus_agent_batches_refused_total', 'b', '0x9 1x21'),
            // c: an agent newer than its server, held from 1 minute: not "not delivering" as well.
            series('locus_agent_outbox_items', 'c', '40+6x30', { kind: 'sample' }),
            series('locus_agent_last_send_success_timestamp_seconds', 'c', '0 60x29'),
            series('locus_agent_delivery_held', 'c', '0 1x29'),
          ],
          alert_rule_test: [
            // Over 10 minutes since its last delivery from 12 minutes, held for 5.
            firing('LocusAgentNotDelivering', '16m', []),
            firing('LocusAgentNotDelivering', '20m', [{ labels: target('a'), value: String(1 + 6 * 20 + 2) }]),
            firing('LocusAgentDeliveryHeld', '10m', []),
            firing('LocusAgentDeliveryHeld', '20m', [{ labels: target('c') }]),
            firing('LocusAgentBatchesDropped', '9m', []),
            firing('LocusAgentBatchesDropped', '12m', [{ labels: target('b') }]),
            firing('LocusAgentOutboxDropping', '19m', []),
            firing('LocusAgentOutboxDropping', '25m', [{ labels: { ...target('a'), kind: 'sample' } }]),
          ],
        },
      ],
    });
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('fires on an unhealthy GPU, an Xid, a GPU lost, a host not read and an agent pod down, and not on healthy hosts, by promtool test rules', () => {
    const gpu = (index: number, host: string) => ({ gpu: String(index), UUID: `GPU-${host}-${index}`, pci_bus_id: `00000000:${18 + index}:00.0`, device: `nvidia${index}`, modelName: 'NVIDIA H100 80GB HBM3', Hostname: host, DCGM_FI_DRIVER_VERSION: '570.133.20' });
    const pod = (host: string, name: string) => ({ instance: `${host}:9400`, job: 'locus/fleet-agent', namespace: 'locus', pod: name, container: 'agent', endpoint: 'metrics' });
    const healthy = (host: string, values = '1x40') => [series('locus_agent_last_collect_timestamp_seconds', host, '0+60x40'), series('locus_agent_collect_failures_total', host, '0x40'), series('locus_agent_kernel_log_readable', host, values)];
    promtoolTest(stringify({ groups: rendered() }), {
      tests: [
        {
          interval: '1m',
          input_series: [
            // gpu-1: Xid 48 on GPU 2 at 10 minutes, which its checks judge unhealthy; GPU 0 is fine; nvlink cannot judge (unknown).
            ...healthy('gpu-1'),
            series('locus_agent_gpus', 'gpu-1', '8x40', { state: 'present' }),
            series('locus_agent_gpus', 'gpu-1', '0x40', { state: 'missing' }),
            series('DCGM_FI_DEV_XID_ERRORS', 'gpu-1', '0x40', gpu(0, 'gpu-1')),
            series('DCGM_FI_DEV_XID_ERRORS', 'gpu-1', '0x9 48x30', gpu(2, 'gpu-1')),
            series('locus_agent_gpu_health', 'gpu-1', '0x40', { gpu: '0', UUID: 'GPU-gpu-1-0', state: 'unhealthy' }),
            series('locus_agent_gpu_health', 'gpu-1', '0x9 1x30', { gpu: '2', UUID: 'GPU-gpu-1-2', state: 'unhealthy' }),
            series('locus_agent_gpu_health', 'gpu-1', '1x9 0x30', { gpu: '2', UUID: 'GPU-gpu-1-2', state: 'healthy' }),
            series('locus_agent_component_health', 'gpu-1', '0x9 1x30', { component: 'xid', state: 'unhealthy' }),
            series('locus_agent_component_health', 'gpu-1', '1x40', { component: 'nvlink', state: 'unknown' }),
            // gpu-2: its kernel log unreadable (no Xid series), a GPU gone at 20 minutes, running hot from 5 minutes.
            ...healthy('gpu-2', '0x40'),
            series('locus_agent_gpus', 'gpu-2', '8x19 7x20', { state: 'present' }),
            series('locus_agent_component_health', 'gpu-2', '0x4 1x35', { component: 'thermal', state: 'degraded' }),
            // gpu-3: every pass fails from 10 minutes; its GPU series go.
            series('locus_agent_last_collect_timestamp_seconds', 'gpu-3', '0+60x10 600x30'),
            series('locus_agent_collect_failures_total', 'gpu-3', '0x10 6+6x29'),
            series('locus_agent_gpus', 'gpu-3', '8x10', { state: 'present' }),
            // gpu-4: one pass of six fails.
            series('locus_agent_last_collect_timestamp_seconds', 'gpu-4', '0+60x40'),
            series('locus_agent_collect_failures_total', 'gpu-4', '0+1x40'),
            // Agent pods: gpu-2's stops answering at 10 minutes; a server on another job is down throughout.
            { series: `up${selector(pod('gpu-1', 'fleet-agent-x1'))}`, values: '1x40' },
            { series: `up${selector(pod('gpu-2', 'fleet-agent-x2'))}`, values: '1x9 0x30' },
            { series: 'up{instance="server:8080", job="fleet-server"}', values: '0x40' },
          ],
          alert_rule_test: [
            firing('LocusAgentXidError', '8m', []),
            firing('LocusAgentXidError', '12m', [{ labels: { ...target('gpu-1'), ...gpu(2, 'gpu-1') }, value: '48' }]),
            firing('LocusAgentGpuUnhealthy', '14m', []),
            firing('LocusAgentGpuUnhealthy', '16m', [{ labels: { ...target('gpu-1'), gpu: '2', UUID: 'GPU-gpu-1-2', state: 'unhealthy' } }]),
            firing('LocusAgentComponentUnhealthy', '16m', [{ labels: { ...target('gpu-1'), component: 'xid', state: 'unhealthy' } }]),
            firing('LocusAgentComponentDegraded', '34m', []),
            firing('LocusAgentComponentDegraded', '36m', [{ labels: { ...target('gpu-2'), component: 'thermal', state: 'degraded' } }]),
            firing('LocusAgentKernelLogUnreadable', '14m', []),
            firing('LocusAgentKernelLogUnreadable', '16m', [{ labels: target('gpu-2') }]),
            // Fewer GPUs than the day's most from 20 minutes, held for 5; gpu-3's count went with its passes, not a GPU.
            firing('LocusAgentGpusLost', '24m', []),
            firing('LocusAgentGpusLost', '26m', [{ labels: { ...target('gpu-2'), state: 'present' }, value: '7' }]),
            // Its last pass over 5 minutes old from 16 minutes, held for 5; failing passes alone are not "some failing".
            firing('LocusAgentNotCollecting', '20m', []),
            firing('LocusAgentNotCollecting', '22m', [{ labels: target('gpu-3') }]),
            firing('LocusAgentCollectionFailing', '14m', []),
            firing('LocusAgentCollectionFailing', '22m', [{ labels: target('gpu-4') }]),
            firing('LocusAgentDown', '14m', []),
            firing('LocusAgentDown', '20m', [{ labels: pod('gpu-2', 'fleet-agent-x2') }]),
          ],
        },
      ],
    });
  });
});

describe('the landmark Deployment', () => {
  const landmarkOf = (objects: K8sObject[]) => find(objects, 'Deployment', 'fleet-landmark')!.spec.template.spec;

  it('keeps undelivered measurements in a spool on a writable volume, its root file system read-only', () => {
    const spec = landmarkOf(render(SETUPS['landmark, no agent']));
    const c = spec.containers[0]!;
    expect(envOf(c, 'LOCUS_SPOOL')?.value).toBe('/var/lib/locus-landmark/spool/spool.jsonl');
    expect(c.volumeMounts).toContainEqual({ name: 'spool', mountPath: '/var/lib/locus-landmark/spool' });
    expect(spec.volumes).toContainEqual({ name: 'spool', emptyDir: {} });
    expect(c.securityContext).toMatchObject({ readOnlyRootFilesystem: true });
  });

  it('serves no metrics and makes no PodMonitor by default', () => {
    const objects = render(SETUPS['landmark, no agent']);
    const c = landmarkOf(objects).containers[0]!;
    expect(envOf(c, 'LOCUS_METRICS')).toBeUndefined();
    expect(c.ports?.map((p) => p.name)).toEqual(['timing']);
    expect(objects.filter((o) => o.kind === 'PodMonitor')).toEqual([]);
  });

  it('makes alerting rules, from the rule file it ships, only when asked for them and for metrics', () => {
    const landmark = SETUPS['landmark with metrics'].landmark;
    const rulesOf = (values: Record<string, unknown>) => render({ landmark: { ...landmark, ...values } }).filter((o) => o.kind === 'PrometheusRule');
    expect(rulesOf({})).toEqual([]);
    expect(rulesOf({ metrics: { enabled: false, prometheusRule: { enabled: true } } })).toEqual([]);
    const [rule] = rulesOf({ metrics: { enabled: true, prometheusRule: { enabled: true, labels: { release: 'kube-prometheus-stack' } } } });
    expect(rule?.metadata).toMatchObject({ name: 'fleet-landmark', labels: { release: 'kube-prometheus-stack' } });
    expect(rule!.spec).toEqual(parse(chartFile('rules/locus-landmark.rules.yml')));
  });

  it('ships rules that name only series the landmark exposes, by labels they carry, with values they take', async () => {
    const families = await exposedFamilies();
    const { groups } = parse(chartFile('rules/locus-landmark.rules.yml')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    expect(groups.flatMap((g) => g.rules.map((r) => r.alert))).toEqual(['LocusLandmarkNotDelivering', 'LocusLandmarkMeasurementsLost', 'LocusLandmarkMeasurementsRefused', 'LocusLandmarkAtConnectionLimit', 'LocusLandmarkEventLoopLagging']);
    for (const { alert, expr } of groups.flatMap((g) => g.rules)) expectExposed(families, alert, expr);
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('ships rules that promtool accepts (skipped without promtool: apt-get install prometheus)', () => {
    expect(promtoolCheck((parse(chartFile('rules/locus-landmark.rules.yml')) as { groups: unknown }).groups)).toContain('SUCCESS: 5 rules found');
  });

  it.skipIf(!promtool && process.env.CI !== 'true')('ships rules that fire when they should and not otherwise, by promtool test rules', () => {
    // Two landmarks, a minute apart: fra-1 has delivered nothing since start, with a queue; ams-1 delivers every minute. A server on another job lags.
    const { groups } = parse(chartFile('rules/locus-landmark.rules.yml')) as { groups: { rules: { alert: string; annotations: Record<string, string> }[] }[] };
    const annotations = new Map(groups.flatMap((g) => g.rules.map((r) => [r.alert, r.annotations] as const)));
    const firing = (alertname: string, eval_time: string, labels: Record<string, string>) => ({ eval_time, alertname, exp_alerts: [{ exp_labels: labels, exp_annotations: annotations.get(alertname) }] });
    const fra = 'instance="fra-1:9402", job="landmark"';
    const ams = 'instance="ams-1:9402", job="landmark"';
    promtoolTest(chartFile('rules/locus-landmark.rules.yml'), {
      tests: [
        {
          interval: '1m',
          input_series: [
            { series: `locus_landmark_delivery_queue_measurements{${fra}}`, values: '40+10x30' },
            { series: `locus_landmark_last_delivery_timestamp_seconds{${fra}}`, values: '0x30' },
            { series: `locus_landmark_delivery_queue_measurements{${ams}}`, values: '3x30' },
            { series: `locus_landmark_last_delivery_timestamp_seconds{${ams}}`, values: '0+60x30' },
            { series: `locus_landmark_info{${fra}, landmark_id="fra-1"}`, values: '1x30' },
            { series: `locus_landmark_info{${ams}, landmark_id="ams-1"}`, values: '1x30' },
            { series: `nodejs_eventloop_lag_p99_seconds{${fra}}`, values: '0.02x30' },
            // An idle landmark: prom-client's 10-ms sampling interval counts in every delay.
            { series: `nodejs_eventloop_lag_p99_seconds{${ams}}`, values: '0.014x30' },
            { series: 'nodejs_eventloop_lag_p99_seconds{instance="server:8080", job="locus"}', values: '0.5x30' },
            { series: `locus_landmark_delivery_measurements_total{${fra}, result="dropped"}`, values: '0x10 5x20' },
            { series: `locus_landmark_delivery_measurements_total{${ams}, result="dropped"}`, values: '0x30' },
          ],
          alert_rule_test: [
            firing('LocusLandmarkNotDelivering', '20m', { severity: 'warning', instance: 'fra-1:9402', job: 'landmark' }),
            { eval_time: '8m', alertname: 'LocusLandmarkNotDelivering', exp_alerts: [] },
            firing('LocusLandmarkEventLoopLagging', '20m', { severity: 'info', instance: 'fra-1:9402', job: 'landmark' }),
            firing('LocusLandmarkMeasurementsLost', '20m', { severity: 'warning', instance: 'fra-1:9402', job: 'landmark', result: 'dropped' }),
            { eval_time: '5m', alertname: 'LocusLandmarkMeasurementsLost', exp_alerts: [] },
          ],
        },
      ],
    });
  });

  it("serves metrics on the pod's address when asked, on a port named metrics that a PodMonitor scrapes", () => {
    const objects = render(SETUPS['landmark with metrics']);
    const deployment = find(objects, 'Deployment', 'fleet-landmark')!;
    const c = deployment.spec.template.spec.containers[0]!;
    expect(parseListen(envOf(c, 'LOCUS_METRICS')!.value!)).toEqual({ host: '0.0.0.0', port: 9402 });
    expect(c.ports).toContainEqual({ name: 'metrics', containerPort: 9402, protocol: 'TCP' });
    const monitor = find(objects, 'PodMonitor', 'fleet-landmark')!;
    expect(monitor.metadata.labels?.release).toBe('kube-prometheus-stack');
    for (const [k, v] of Object.entries(monitor.spec.selector.matchLabels)) expect(deployment.spec.template.metadata.labels[k], k).toBe(v);
    expect(monitor.spec.selector.matchLabels['app.kubernetes.io/component']).toBe('landmark');
    expect(monitor.spec.podMetricsEndpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '30s' }]);
  });
});

describe('the template subset renderer', () => {
  const scope: Scope = {
    Values: { a: { b: 'x', n: 2, list: [1, 2], off: false }, empty: '' },
    Release: { Name: 'r', Namespace: 'n', Service: 'Helm' },
    Chart: { Name: 'c', Version: '1', AppVersion: '2' },
    Files: {
      Get: (path) => {
        if (path !== 'f.txt') throw new TemplateError(`no file ${path}`);
        return 'one\ntwo';
      },
    },
  };

  it.each([
    ['{{ .Values.a.b }}-{{ .Release.Name }}', 'x-r'],
    ['a:\n  {{- if .Values.a.off }} yes{{- else if .Values.a.n }} two{{- else }} no{{- end }}', 'a: two'],
    ['{{ .Values.a.b | quote }} {{ .Values.empty | default "d" }}', '"x" d'],
    ['k: {{- toYaml .Values.a.list | nindent 2 }}', 'k:\n  - 1\n  - 2'],
    ['{{- /* note */ -}}\n  v', 'v'],
    ['{{ if and .Values.a.n (not .Values.a.off) }}ok{{ end }}', 'ok'],
    ['{{ if .Values.a.missing }}set{{ else }}unset{{ end }}', 'unset'],
    // A raw literal passes Prometheus's own templates through, braces and pipes included.
    ['node {{`{{ $labels.node }}`}} for {{ `{{ $value | humanizeDuration }}` }}', 'node {{ $labels.node }} for {{ $value | humanizeDuration }}'],
    ['{{ "a | b }}" | quote }}', '"a | b }}"'],
    ['f: |-\n{{ .Files.Get "f.txt" | indent 2 }}', 'f: |-\n  one\n  two'],
  ])('renders %j', (source, out) => {
    expect(renderTemplate(source, scope)).toBe(out);
  });

  it.each([
    ['{{ range .Values.a.list }}x{{ end }}', 'outside the subset'],
    ['{{ include "x" . }}', 'outside the subset'],
    ['{{ printf "%s" .Values.a.b }}', 'outside the subset'],
    ['{{ .Capabilities.KubeVersion }}', 'unknown root'],
    ['{{ .Values.a.typo }}', 'missing from the values'],
    ['{{ .Values.nope.deeper }}', 'nope is missing'],
    ['{{ .Values.a }}', 'render it with toYaml'],
    ['{{ if .Values.a.b }}open', 'never closed'],
    ['{{ required "needed" .Values.empty }}', 'needed'],
    ['{{ `unclosed }}', 'unclosed action'],
    ['{{ .Files.Get "nope.txt" }}', 'no file nope.txt'],
    ['{{ .Files.Get }}', 'takes a path'],
  ])('refuses %j', (source, message) => {
    expect(() => renderTemplate(source, scope)).toThrow(TemplateError);
    expect(() => renderTemplate(source, scope)).toThrow(message);
  });
});
