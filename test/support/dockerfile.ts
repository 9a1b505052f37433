import { readFileSync } from 'node:fs';

/** One Dockerfile instruction: its keyword, flags (`--from=build`) and arguments (exec form parsed as JSON). */
export interface Instruction {
  readonly keyword: string;
  readonly flags: Readonly<Record<string, string>>;
  readonly args: readonly string[];
  /** The exec form (`["a", "b"]`) rather than the shell form. */
  readonly exec: boolean;
  readonly raw: string;
}

export interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: readonly Instruction[];
}

/** Parses a Dockerfile into stages: continuation lines joined, comments dropped. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || (trimmed === '' && pending === '')) continue;
    if (trimmed.endsWith('\\')) pending += `${trimmed.slice(0, -1).trimEnd()} `;
    else {
      logical.push(pending + trimmed);
      pending = '';
    }
  }
  if (pending.trim() !== '') throw new Error('Dockerfile ends inside a continued line');
  const stages: { from: string; name: string | undefined; instructions: Instruction[] }[] = [];
  for (const raw of logical) {
    const [, keyword = '', rest = ''] = /^(\S+)\s*(.*)$/.exec(raw) ?? [];
    const flags: Record<string, string> = {};
    let body = rest;
    for (let m = /^--([\w-]+)=(\S+)\s+/.exec(body); m; m = /^--([\w-]+)=(\S+)\s+/.exec(body)) {
      flags[m[1]!] = m[2]!;
      body = body.slice(m[0].length);
    }
    // HEALTHCHECK [flags] CMD ["…"] carries its command's form after the word CMD.
    const lead = keyword.toUpperCase() === 'HEALTHCHECK' && body.startsWith('CMD ') ? ['CMD'] : [];
    if (lead.length) body = body.slice(4).trim();
    const exec = body.startsWith('[');
    const args = [...lead, ...(exec ? (JSON.parse(body) as string[]) : body.split(/\s+/).filter(Boolean))];
    const instruction = { keyword: keyword.toUpperCase(), flags, args, exec, raw };
    if (instruction.keyword === 'FROM') stages.push({ from: args[0]!, name: args[1]?.toUpperCase() === 'AS' ? args[2] : undefined, instructions: [] });
    else if (stages.length === 0) throw new Error(`${keyword} before the first FROM`);
    else stages.at(-1)!.instructions.push(instruction);
  }
  return stages;
}

export const readDockerfile = (path: string): Stage[] => parseDockerfile(readFileSync(path, 'utf8'));

/** Whether a .dockerignore pattern list leaves `path` out of the build context (`x`, `x/…`, `**` and `*` only). */
export function dockerIgnores(patterns: readonly string[], path: string): boolean {
  let ignored = false;
  for (const pattern of patterns) {
    const negate = pattern.startsWith('!');
    const body = (negate ? pattern.slice(1) : pattern).replace(/^\/|\/$/g, '');
    const source = body
      .split('/')
      .map((part) => (part === '**' ? '(?:.*/)?' : `${part.replace(/[.+^${}()|[\]\\]/g, '\\$&').replaceAll('*', '[^/]*').replaceAll('?', '[^/]')}/`))
      .join('')
      .replace(/\/$/, '');
    if (new RegExp(`^${source}(?:/.*)?$`).test(path)) ignored = !negate;
  }
  return ignored;
}
