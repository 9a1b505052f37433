import { readFileSync } from 'node:fs';

/**
 * The soft limit on this process's open files, from the text of /proc/self/limits; undefined
 * when the text does not give one ("unlimited", another system).
 */
export function parseOpenFileLimit(limits: string): number | undefined {
  const soft = /^Max open files\s+(\d+)\s/m.exec(limits)?.[1];
  return soft === undefined ? undefined : Number(soft);
}

/** This process's soft limit on open files, where the system says (Linux); else undefined. */
export function openFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

/** Descriptors a landmark uses besides its hosts' connections: its listener, delivery, stdio, Node's own. */
export const FILES_BESIDES_HOSTS = 100;
