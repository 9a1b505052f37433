/**
 * The shell command that enrolls a host with a token: the token goes through standard input
 * (`--token-file -`), never the command line of the enrolling process, as the agent requires.
 */
export function enrollCommand(server: string, token: string, options: { readonly claim?: string; readonly name?: string } = {}): string {
  const quote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  const flags = [`--server ${quote(server)}`, '--token-file -', ...(options.name ? [`--name ${quote(options.name)}`] : []), ...(options.claim ? [`--claim ${options.claim}`] : [])];
  return `printf '%s\\n' ${quote(token)} | sudo locus agent enroll ${flags.join(' ')}`;
}
