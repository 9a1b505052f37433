/**
 * What changed in an organization, as this server process saw it happen: the dashboard hears of
 * it over `GET /api/v1/changes` (server-sent events) and reloads what it shows at once rather
 * than at its next poll. Only kinds, never data: a listener reads the API as its token allows.
 */
export const CHANGE_KINDS = ['alerts', 'verdicts', 'nodes', 'events'] as const;
export type ChangeKind = (typeof CHANGE_KINDS)[number];

type Listener = (kind: ChangeKind) => void;

/** In-process publish and subscribe of changes by organization. */
export class ChangeFeed {
  readonly #listeners = new Map<string, Set<Listener>>();
  #count = 0;

  /** Hears every change of the org until the returned function is called. */
  subscribe(orgId: string, listener: Listener): () => void {
    let set = this.#listeners.get(orgId);
    if (!set) this.#listeners.set(orgId, (set = new Set()));
    set.add(listener);
    this.#count++;
    return () => {
      if (!set.delete(listener)) return;
      this.#count--;
      if (set.size === 0) this.#listeners.delete(orgId);
    };
  }

  publish(orgId: string, kind: ChangeKind): void {
    for (const listener of this.#listeners.get(orgId) ?? []) listener(kind);
  }

  /** Listeners now, of every org. */
  get size(): number {
    return this.#count;
  }
}
