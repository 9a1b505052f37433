import { useApi } from '../../api/context.js';
import { paths } from '../../api/paths.js';
import type { MuteRule, ZoneDetail } from '../../api/types.js';
import { usePoll } from '../../hooks/usePoll.js';
import { MuteForm } from '../alerts/MuteForm.js';
import { MuteRules } from '../alerts/MuteRules.js';

/**
 * A site's maintenance window: mutes every alert of the zone's members for a while (a mute rule
 * on the zone: alerts still fire and are listed, no webhook hears of them), and lists the zone's
 * rules in force, each to lift. For the roles that change things.
 */
export function ZoneMaintenance({ zone }: { readonly zone: ZoneDetail }) {
  const api = useApi();
  const rules = usePoll(`mute-rules:zone:${zone.id}`, async (signal) => (await api.get<{ rules: MuteRule[] }>(paths.muteRules, { signal })).rules.filter((r) => r.zoneId === zone.id));
  return (
    <section aria-label="Maintenance">
      <h2>Maintenance</h2>
      <p>Muting the zone keeps its members' alerts from webhooks for a while (they still fire, and are listed as muted).</p>
      <MuteForm target={{ kind: null, nodeId: null, zoneId: zone.id }} label={`Mute the alerts of ${zone.name}`} placeholder="site maintenance" onDone={rules.reload} />
      <MuteRules rules={rules} canWrite />
    </section>
  );
}
