import { readFileSync } from 'node:fs';

/** A unit file as section → key → values (a key may repeat); comments and blank lines left out. */
export type Unit = Map<string, Map<string, string[]>>;

export function parseUnit(text: string): Unit {
  const sections: Unit = new Map();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) sections.set(section[1]!, (current = new Map()));
    else {
      const [key, ...value] = line.split('=');
      current!.set(key!, [...(current!.get(key!) ?? []), value.join('=')]);
    }
  }
  return sections;
}

export const readUnit = (path: string): { text: string; service: Map<string, string[]> } => {
  const text = readFileSync(path, 'utf8');
  return { text, service: parseUnit(text).get('Service')! };
};
