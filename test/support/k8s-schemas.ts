import { z } from 'zod';

/**
 * Schemas of the Kubernetes objects deploy/helm/locus renders, for the fields it uses (field
 * names and types from the Kubernetes API reference). Strict: a misspelt or misplaced field is
 * an error, as `kubectl apply --validate=strict` would report it.
 */
const name = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(63);
const labels = z.record(z.string(), z.string());
const metadata = z.strictObject({ name, labels: labels.optional(), namespace: z.string().optional() });
const quantity = z.union([z.string().regex(/^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti)?$/), z.number()]);
/** A container port's name (IANA_SVC_NAME): at most 15 characters, at least one letter. */
const portName = z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).regex(/[a-z]/).max(15);
const portRef = z.union([z.number().int().min(1).max(65535), name]);

const envVar = z.strictObject({
  name: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
  value: z.string().optional(),
  valueFrom: z
    .strictObject({
      secretKeyRef: z.strictObject({ name, key: z.string(), optional: z.boolean().optional() }).optional(),
      fieldRef: z.strictObject({ fieldPath: z.string() }).optional(),
    })
    .optional(),
});
const probe = z.strictObject({
  httpGet: z.strictObject({ path: z.string().startsWith('/'), port: portRef }).optional(),
  tcpSocket: z.strictObject({ port: portRef }).optional(),
  exec: z.strictObject({ command: z.array(z.string()).min(1) }).optional(),
  initialDelaySeconds: z.number().int().optional(),
  periodSeconds: z.number().int().optional(),
});
const capability = z.string().regex(/^[A-Z_]+$/);
const containerSecurity = z.strictObject({
  runAsUser: z.number().int().optional(),
  runAsGroup: z.number().int().optional(),
  runAsNonRoot: z.boolean().optional(),
  allowPrivilegeEscalation: z.boolean(),
  readOnlyRootFilesystem: z.boolean().optional(),
  privileged: z.literal(false).optional(),
  capabilities: z.strictObject({ drop: z.array(z.literal('ALL')), add: z.array(capability).optional() }),
});
export const container = z.strictObject({
  name,
  image: z.string().regex(/^[\w./-]+:[\w.-]+$/),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']),
  command: z.array(z.string()).min(1).optional(),
  args: z.array(z.string()).optional(),
  env: z.array(envVar).optional(),
  ports: z.array(z.strictObject({ name: portName, containerPort: z.number().int().min(1).max(65535), protocol: z.enum(['TCP', 'UDP']) })).optional(),
  livenessProbe: probe.optional(),
  readinessProbe: probe.optional(),
  securityContext: containerSecurity,
  resources: z
    .strictObject({ requests: z.partialRecord(z.enum(['cpu', 'memory']), quantity).optional(), limits: z.partialRecord(z.enum(['cpu', 'memory']), quantity).optional() })
    .optional(),
  volumeMounts: z.array(z.strictObject({ name, mountPath: z.string().startsWith('/'), subPath: z.string().optional(), readOnly: z.boolean().optional() })).optional(),
});
const volume = z.strictObject({
  name,
  emptyDir: z.strictObject({}).optional(),
  persistentVolumeClaim: z.strictObject({ claimName: name }).optional(),
  hostPath: z.strictObject({ path: z.string().startsWith('/'), type: z.enum(['DirectoryOrCreate', 'Directory', 'CharDevice', 'File']) }).optional(),
  secret: z.strictObject({ secretName: name, defaultMode: z.number().int().min(0).max(0o777).optional() }).optional(),
});
const podSpec = z.strictObject({
  automountServiceAccountToken: z.literal(false),
  runtimeClassName: z.string().optional(),
  nodeSelector: labels.optional(),
  tolerations: z.array(z.strictObject({ key: z.string(), operator: z.enum(['Exists', 'Equal']), value: z.string().optional(), effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional() })).optional(),
  securityContext: z.strictObject({
    runAsNonRoot: z.boolean().optional(),
    runAsUser: z.number().int().optional(),
    runAsGroup: z.number().int().optional(),
    fsGroup: z.number().int().optional(),
    seccompProfile: z.strictObject({ type: z.literal('RuntimeDefault') }),
  }),
  initContainers: z.array(container).optional(),
  containers: z.array(container).min(1),
  volumes: z.array(volume).optional(),
});
const podTemplate = z.strictObject({ metadata: z.strictObject({ labels, annotations: z.record(z.string(), z.string()).optional() }), spec: podSpec });
const selector = z.strictObject({ matchLabels: labels });
const pvcSpec = z.strictObject({
  accessModes: z.array(z.enum(['ReadWriteOnce', 'ReadWriteMany', 'ReadOnlyMany'])).min(1),
  storageClassName: z.string().optional(),
  resources: z.strictObject({ requests: z.strictObject({ storage: quantity }) }),
});

/** A Prometheus duration: 30s, 1h30m, … */
const duration = z.string().regex(/^(\d+(ms|s|m|h|d|w|y))+$/);
/** Prometheus Operator's custom resources (monitoring.coreos.com/v1), for the fields the chart uses. */
const scrapeEndpoint = z.strictObject({
  port: name,
  path: z.string().startsWith('/'),
  interval: duration.optional(),
  authorization: z.strictObject({ type: z.literal('Bearer'), credentials: z.strictObject({ name, key: z.string() }) }).optional(),
  relabelings: z.array(z.strictObject({ targetLabel: z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/), replacement: z.string() })).optional(),
});
const podMetricsEndpoint = z.strictObject({ port: portName, path: z.string().startsWith('/'), interval: duration.optional() });
const alertingRule = z.strictObject({
  alert: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/),
  expr: z.string().min(1),
  for: duration.optional(),
  labels: z.record(z.string(), z.string()).optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export const SCHEMAS = {
  Deployment: z.strictObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('Deployment'),
    metadata,
    spec: z.strictObject({ replicas: z.number().int().min(1), strategy: z.strictObject({ type: z.enum(['Recreate', 'RollingUpdate']) }), selector, template: podTemplate }),
  }),
  DaemonSet: z.strictObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('DaemonSet'),
    metadata,
    spec: z.strictObject({ selector, updateStrategy: z.strictObject({ type: z.enum(['RollingUpdate', 'OnDelete']) }), template: podTemplate }),
  }),
  StatefulSet: z.strictObject({
    apiVersion: z.literal('apps/v1'),
    kind: z.literal('StatefulSet'),
    metadata,
    spec: z.strictObject({ serviceName: name, replicas: z.number().int(), selector, template: podTemplate, volumeClaimTemplates: z.array(z.strictObject({ metadata: z.strictObject({ name }), spec: pvcSpec })) }),
  }),
  Service: z.strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Service'),
    metadata,
    spec: z.strictObject({
      type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).optional(),
      clusterIP: z.literal('None').optional(),
      selector: labels,
      ports: z.array(z.strictObject({ name, port: z.number().int().min(1).max(65535), targetPort: portRef, protocol: z.enum(['TCP', 'UDP']) })).min(1),
    }),
  }),
  Secret: z.strictObject({
    apiVersion: z.literal('v1'),
    kind: z.literal('Secret'),
    metadata,
    type: z.literal('Opaque'),
    stringData: z.record(z.string(), z.string()).nullable(),
  }),
  ConfigMap: z.strictObject({ apiVersion: z.literal('v1'), kind: z.literal('ConfigMap'), metadata, data: z.record(z.string().regex(/^[-._a-zA-Z0-9]+$/), z.string()) }),
  PersistentVolumeClaim: z.strictObject({ apiVersion: z.literal('v1'), kind: z.literal('PersistentVolumeClaim'), metadata, spec: pvcSpec }),
  ServiceMonitor: z.strictObject({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('ServiceMonitor'),
    metadata,
    spec: z.strictObject({ selector, endpoints: z.array(scrapeEndpoint).min(1) }),
  }),
  PodMonitor: z.strictObject({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('PodMonitor'),
    metadata,
    spec: z.strictObject({ selector, podMetricsEndpoints: z.array(podMetricsEndpoint).min(1) }),
  }),
  PrometheusRule: z.strictObject({
    apiVersion: z.literal('monitoring.coreos.com/v1'),
    kind: z.literal('PrometheusRule'),
    metadata,
    spec: z.strictObject({ groups: z.array(z.strictObject({ name: z.string().min(1), rules: z.array(alertingRule).min(1) })).min(1) }),
  }),
} as const;

export type Kind = keyof typeof SCHEMAS;
export type K8sObject = { [K in Kind]: z.infer<(typeof SCHEMAS)[K]> }[Kind];
export type Container = z.infer<typeof container>;
export type PodSpec = z.infer<typeof podSpec>;

/** Validates one rendered object against the schema of its kind. */
export function validateObject(doc: unknown): K8sObject {
  const kind = (doc as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !(kind in SCHEMAS)) throw new Error(`no schema for kind ${String(kind)}`);
  const result = SCHEMAS[kind as Kind].safeParse(doc);
  if (!result.success) throw new Error(`${kind} ${String((doc as { metadata?: { name?: unknown } }).metadata?.name)}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return result.data as K8sObject;
}
