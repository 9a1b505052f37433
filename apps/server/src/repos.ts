import { AlertRepo, GpuSampleRepo, LandmarkRepo, LeaseRepo, MeasurementRepo, NodeRepo, OrgRepo, ReportRepo, TelemetryRepo, TokenRepo, UptimeRepo, VerdictRepo, ZoneRepo, type Storage } from '@locus/storage';

export interface Repos {
  readonly orgs: OrgRepo;
  readonly tokens: TokenRepo;
  readonly landmarks: LandmarkRepo;
  readonly nodes: NodeRepo;
  readonly measurements: MeasurementRepo;
  readonly verdicts: VerdictRepo;
  readonly telemetry: TelemetryRepo;
  readonly samples: GpuSampleRepo;
  readonly zones: ZoneRepo;
  readonly alerts: AlertRepo;
  readonly reports: ReportRepo;
  readonly leases: LeaseRepo;
  readonly uptime: UptimeRepo;
}

export function reposOf(storage: Storage): Repos {
  const { db } = storage;
  return {
    orgs: new OrgRepo(db),
    tokens: new TokenRepo(db),
    landmarks: new LandmarkRepo(db),
    nodes: new NodeRepo(db),
    measurements: new MeasurementRepo(db),
    verdicts: new VerdictRepo(db),
    telemetry: new TelemetryRepo(db),
    samples: new GpuSampleRepo(db),
    zones: new ZoneRepo(db),
    alerts: new AlertRepo(db),
    reports: new ReportRepo(db),
    leases: new LeaseRepo(db),
    uptime: new UptimeRepo(db),
  };
}
