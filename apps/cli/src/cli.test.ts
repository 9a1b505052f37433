import { describe, expect, it } from 'vitest';
import { parseCli } from './cli.js';
import { CliError } from './errors.js';
import { runLocus } from './test-support.js';

describe('parseCli', () => {
  it.each([[['--help']], [['-h']], [['help']]])('shows the top-level help for %j', (argv) => {
    const parsed = parseCli(argv);
    expect(parsed.kind).toBe('help');
    expect(parsed.kind === 'help' && parsed.text).toMatch(/geo verify/);
  });

  it('shows the version', () => {
    expect(parseCli(['--version'])).toEqual({ kind: 'version' });
  });

  it('finds a subcommand and passes it the rest', () => {
    const parsed = parseCli(['geo', 'verify', '--landmarks', 'a.csv']);
    expect(parsed.kind === 'command' && parsed.command.path).toEqual(['geo', 'verify']);
    expect(parsed.kind === 'command' && parsed.args).toEqual(['--landmarks', 'a.csv']);
  });

  it.each([[['geo', '--help']], [['geo', '-h']], [['help', 'geo']]])('shows a group help for %j', (argv) => {
    const parsed = parseCli(argv);
    expect(parsed.kind === 'help' && parsed.text).toMatch(/Usage: locus geo <command>/);
  });

  it("reads `help COMMAND` as the command's --help", () => {
    expect(parseCli(['help', 'geo', 'verify'])).toMatchObject({ kind: 'command', command: { path: ['geo', 'verify'] }, args: ['--help'] });
    expect(() => parseCli(['help', 'launch'])).toThrow(/unknown command "launch"/);
  });

  it.each([
    [['launch'], /unknown command "launch"/],
    [['geo', 'locate'], /unknown command "geo locate"/],
    [['geo', '--fast'], /unknown option "--fast" for "locus geo"/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => parseCli(argv)).toThrow(CliError);
    expect(() => parseCli(argv)).toThrow(message);
  });
});

describe('locus', () => {
  it('exits 2 with a coded message and a next step on a usage error', async () => {
    const r = await runLocus(['launch']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^locus: error LOCUS_ERR_CLI_USAGE: unknown command "launch"\nRun `locus --help`/);
  });

  it.each([
    [[], 'locus', /geo verify/],
    [['geo'], 'locus geo', /Usage: locus geo <command>/],
    [['agent'], 'locus agent', /agent run/],
  ])('exits 2 when %j names no command, with the commands on stderr', async (argv, name, commands) => {
    const r = await runLocus(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`locus: error LOCUS_ERR_CLI_USAGE: ${name} needs a command\n`);
    expect(r.stderr).toMatch(commands);
  });

  it('prints the version', async () => {
    expect((await runLocus(['-V'])).stdout).toMatch(/^locus \d+\.\d+\.\d+\n$/);
  });
});
