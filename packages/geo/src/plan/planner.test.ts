import { describe, expect, it } from 'vitest';
import { DEFAULT_BORDER_MARGIN } from '../constants.js';
import { DEFAULT_RESTRICTED } from '../countries.js';
import { syntheticRtt } from '../synthetic.js';
import { degrees, ms, type Ms } from '../units.js';
import { verifyTarget, type RttBound } from '../verdict.js';
import { naturalEarthWorld } from '../world/natural-earth.js';
import { planSites, siteScorer, type PlanHost, type PlanSite } from './planner.js';
import { nearestLandFinder } from './reasons.js';

const world = naturalEarthWorld();
const restricted = new Set(DEFAULT_RESTRICTED);
const verify = { speed: 'vacuum' as const, restricted, marginKm: DEFAULT_BORDER_MARGIN };
const place = (id: string, lat: number, lon: number) => ({ id, lat: degrees(lat), lon: degrees(lon) });

const LANDMARKS = [place('fra', 50.11, 8.68), place('lon', 51.51, -0.13), place('mad', 40.42, -3.7)];
// Hosts in Helsinki and Warsaw: with only western landmarks their regions reach Russia and Belarus.
const HOSTS = [place('hel', 60.17, 24.94), place('waw', 52.23, 21.01), place('par', 48.86, 2.35)];
const SITES: PlanSite[] = [place('lis', 38.72, -9.14), place('hel-dc', 60.2, 24.9), place('waw-dc', 52.25, 21.0), place('tll', 59.44, 24.75)];

const boundsFor = (h: { lat: number; lon: number }): RttBound[] =>
  LANDMARKS.map((l) => ({ lat: l.lat, lon: l.lon, rtt: syntheticRtt(l, { lat: degrees(h.lat), lon: degrees(h.lon) }) }));
const hosts: PlanHost[] = HOSTS.map((h) => ({ ...h, bounds: boundsFor(h) }));
const siteRtt = (h: number, s: number): Ms => syntheticRtt(HOSTS[h]!, SITES[s]!);

describe('planSites', () => {
  const plan = planSites(world, hosts, SITES, siteRtt, { ...verify, k: 3 });

  it('starts from the verdicts geo verify gives', () => {
    expect(plan.excludedBefore).toEqual(hosts.map((h) => verifyTarget(world, h.bounds, null, verify).restricted === 'excluded'));
    expect(plan.excludedBefore).toEqual([false, false, true]);
  });

  it('picks the sites that flip hosts, best first, and never the useless one', () => {
    const ids = plan.picks.map((p) => SITES[p.site]!.id);
    expect(ids.slice(0, 2).sort()).toEqual(['hel-dc', 'waw-dc']);
    expect(ids).not.toContain('lis');
    expect(plan.picks.slice(0, 2).flatMap((p) => p.newlyExcluded).sort()).toEqual([0, 1]);
    expect(plan.excludedAfter).toEqual([true, true, true]);
  });

  it('reports final verdicts identical to verifying the final bounds', () => {
    plan.finalBounds.forEach((b, i) => {
      expect(plan.finalVerdicts[i]!.restricted).toBe(verifyTarget(world, b, null, verify).restricted);
    });
  });

  it('stops at k and when nothing is left to gain', () => {
    expect(planSites(world, hosts, SITES, siteRtt, { ...verify, k: 1 }).picks).toHaveLength(1);
    // Sites that measure nothing useful (RTTs that bound nothing) are never picked.
    expect(planSites(world, hosts, SITES, () => ms(500), { ...verify, k: 3 }).picks).toEqual([]);
  });

  it('breaks ties by the restricted area a site removes', () => {
    // Only Helsinki's host is left to cover; both Tallinn (80 km) and Lisbon flip nothing when
    // their RTTs are slow, but Tallinn's cap cuts the region's Russian part and Lisbon's does not.
    const slow = (h: number, s: number): Ms => ms(siteRtt(h, s) + 6);
    const one = planSites(world, [hosts[0]!], [SITES[0]!, SITES[3]!], slow, { ...verify, k: 1 });
    expect(one.picks).toHaveLength(1);
    expect(one.picks[0]!.site).toBe(1);
    expect(one.picks[0]!.newlyExcluded).toEqual([]);
    expect(one.picks[0]!.restrictedAreaRemovedKm2).toBeGreaterThan(0);
  });
});

describe('siteScorer', () => {
  it('scores a set of sites with the verdict of the bounds plus the sites', () => {
    const score = siteScorer(world, hosts, SITES, siteRtt, verify);
    expect(score([])).toEqual([false, false, true]);
    expect(score([0])).toEqual([false, false, true]);
    expect(score([1, 2])).toEqual([true, true, true]);
  });
});

describe('nearestLandFinder', () => {
  const nearest = nearestLandFinder(world);
  const at = (lat: number, lon: number) => ({ lat: degrees(lat), lon: degrees(lon) });

  it('measures to overlay areas as to land: zero inside one, its outline from outside', () => {
    expect(nearest(['RU'], at(48.0159, 37.8028))).toEqual({ code: 'RU', km: 0 });
    // The middle of the Bohai Sea is ~70 km from Chinese land but inside the Bohai outline.
    expect(nearest(['CN'], at(38.9, 119.6))).toEqual({ code: 'CN', km: 0 });
    const tbilisi = nearest(['RU'], at(41.7151, 44.8271))!;
    expect(tbilisi.km).toBeGreaterThan(35);
    expect(tbilisi.km).toBeLessThan(45);
  });
});
