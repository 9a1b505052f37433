import { LandmarkRepo, MeasurementRepo, NodeRepo, OrgRepo, TokenRepo, VerdictRepo, type Storage } from '@locus/storage';

export interface Repos {
  readonly orgs: OrgRepo;
  readonly tokens: TokenRepo;
  readonly landmarks: LandmarkRepo;
  readonly nodes: NodeRepo;
  readonly measurements: MeasurementRepo;
  readonly verdicts: VerdictRepo;
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
  };
}
