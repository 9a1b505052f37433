import type { ZoneDetail } from '../../api/types.js';
import { countryName, isRestricted } from '../../verdict/countries.js';

const names = (list: readonly string[]): string => (list.length <= 1 ? (list[0] ?? '') : `${list.slice(0, -1).join(', ')} and ${list.at(-1)}`);

/**
 * Plain sentences for what needs attention in a zone: why restricted countries are not
 * excluded, which member contradicts the claim, and which cannot stand with the others.
 */
export function zoneNotice(zone: ZoneDetail): string[] {
  if (zone.members.length === 0) return ['This zone has no members yet: enroll agents with an enrollment token for it.'];
  const out: string[] = [];
  const nameOf = new Map(zone.members.map((m) => [m.nodeId, m.name]));
  const notExcluded = zone.members.filter((m) => m.verdict.restricted !== 'excluded');
  if (zone.restricted !== 'excluded' && notExcluded.length > 0) {
    const reasons = notExcluded.map((m) => {
      const reached = m.verdict.possibleCountries.filter(isRestricted).map((c) => `${countryName(c)} (${c})`);
      return reached.length > 0 ? `${m.name}'s region reaches ${names(reached)}` : `${m.name} is not excluded`;
    });
    out.push(`Restricted countries are ${zone.restricted} for this zone: ${names(reasons)}. A zone is excluded only when every member is.`);
  }
  const contradicting = zone.members.filter((m) => m.verdict.claim === 'contradicted');
  if (contradicting.length > 0 && zone.claimedCountry) {
    out.push(`${names(contradicting.map((m) => m.name))} ${contradicting.length === 1 ? 'contradicts' : 'contradict'} the claim: ${contradicting.length === 1 ? 'its region does' : 'their regions do'} not reach ${countryName(zone.claimedCountry)}.`);
  }
  if (zone.outliers.length === 1) {
    const name = nameOf.get(zone.outliers[0]!) ?? zone.outliers[0]!;
    out.push(`${name} disagrees with the other members: they cannot all stand at one place, and without ${name} the rest could.`);
  } else if (zone.outliers.length > 1) {
    const outliers = zone.outliers.map((id) => nameOf.get(id) ?? id);
    const suspects = zone.members.filter((m) => zone.outliers.includes(m.nodeId) && m.verdict.restricted !== 'excluded');
    const which = suspects.length === 1 ? ` Of these, only ${suspects[0]!.name}'s own verdict does not exclude restricted countries.` : '';
    out.push(`The members cannot all stand at one place; without any one of ${names(outliers)} the rest could.${which}`);
  } else if (zone.ifColocated?.empty) {
    out.push('The members cannot all stand at one place, and no single member explains it.');
  }
  return out;
}
