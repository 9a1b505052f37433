import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ms, type CountryCode, type RttBound } from '@locus/geo';
import { parseClaims, parseLandmarks, parseRtts, type Landmark } from '../../apps/cli/src/geo/inputs.js';

export interface DevHost {
  readonly id: string;
  readonly name: string;
  readonly country: CountryCode;
  readonly lat: number;
  readonly lon: number;
  /** Minimum RTT per landmark id. */
  readonly rtts: ReadonlyMap<string, number>;
}

export interface WonderProxy {
  readonly landmarks: ReadonlyMap<string, Landmark>;
  readonly hosts: readonly DevHost[];
}

/** Loads the WonderProxy landmarks and dev split through the same parsers `locus geo verify` uses. */
export function loadWonderProxy(dir: string): WonderProxy {
  const read = (f: string): string => readFileSync(join(dir, f), 'utf8');
  const landmarks = parseLandmarks('landmarks.csv', read('landmarks.csv'));
  const targets = parseRtts('dev/rtts.csv', read('dev/rtts.csv'), landmarks, 'landmarks.csv');
  const claims = parseClaims('dev/claims.csv', read('dev/claims.csv'));
  const places = parseLandmarks('dev/targets.csv', read('dev/targets.csv'));
  const hosts = targets.map((t) => {
    const place = places.get(t.id)!;
    return { id: t.id, name: place.name, country: claims.get(t.id)!.country, lat: place.lat, lon: place.lon, rtts: t.rtts };
  });
  return { landmarks, hosts };
}

export function boundsOf(wp: WonderProxy, rtts: ReadonlyMap<string, number>): RttBound[] {
  return [...rtts].map(([id, rtt]) => {
    const { lat, lon } = wp.landmarks.get(id)!;
    return { lat, lon, rtt: ms(rtt) };
  });
}
