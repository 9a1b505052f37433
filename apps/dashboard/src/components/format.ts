/** "3 min ago"-style age of an ISO time, relative to `now`. */
export function ago(iso: string | null, now: Date): string {
  if (!iso) return 'never';
  const s = Math.round((now.getTime() - Date.parse(iso)) / 1000);
  if (s < 60) return `${Math.max(s, 0)} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

export const time = (iso: string): string => new Date(iso).toLocaleString();

export const bytes = (n: number): string => `${(n / 1024 ** 3).toFixed(0)} GiB`;

export const shortKey = (key: string): string => (key.length > 16 ? `${key.slice(0, 10)}…${key.slice(-4)}` : key);
