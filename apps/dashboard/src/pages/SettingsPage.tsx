import { useCan, useMe } from '../app/me.js';
import { Empty } from '../components/Status.js';
import { Tokens } from './settings/Tokens.js';
import { Webhooks } from './settings/Webhooks.js';

/** `/settings`: webhooks with their delivery logs, and API tokens, for the roles that manage them. */
export function SettingsPage() {
  const can = useCan();
  const me = useMe();
  return (
    <>
      <h1>Settings</h1>
      <p className="muted">
        Signed in as {me?.name ?? 'a token'} ({me?.role}) of organization <code>{me?.orgId}</code>.
      </p>
      {can('fleet:write') && <Webhooks />}
      {can('tokens:manage') && <Tokens />}
      {!can('fleet:write') && !can('tokens:manage') && <Empty>Your role has nothing to set here.</Empty>}
    </>
  );
}
