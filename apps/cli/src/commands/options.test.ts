import { describe, expect, it } from 'vitest';
import { runLocus } from '../test-support.js';
import { joinNegativeValues, parseCommandArgs, parseCommandLine } from './args.js';

describe('joinNegativeValues', () => {
  const options = { lon: { type: 'string' }, json: { type: 'boolean' }, port: { type: 'string', short: 'p' } } as const;

  it.each([
    [['--lon', '-74.0'], ['--lon=-74.0']],
    [['--lon', '-.5'], ['--lon=-.5']],
    [['-p', '-1'], ['-p-1']],
    [['--lon', '--json'], ['--lon', '--json']],
    [['--json', '-1'], ['--json', '-1']],
    [['--lon', '-x'], ['--lon', '-x']],
    [['--', '--lon', '-1'], ['--', '--lon', '-1']],
    [['--lon=-3'], ['--lon=-3']],
  ])('reads %j as %j', (args, expected) => {
    expect(joinNegativeValues(args, options)).toEqual(expected);
  });
});

describe('an option given twice', () => {
  const options = { rtts: { type: 'string' }, json: { type: 'boolean' }, peer: { type: 'string', multiple: true } } as const;

  it.each([[['--rtts', 'a', '--rtts', 'b']], [['--rtts=a', '--rtts=b']], [['--json', '--json']]])('%j is refused: which one was meant is not for the command to guess', (args) => {
    expect(() => parseCommandArgs('locus geo verify', args, options)).toThrow(/^locus geo verify: option --\w+ is given more than once; give it once$/);
  });

  it('is taken where the option may be given many times, and positionals are kept', () => {
    expect(parseCommandLine('locus x', ['--peer', 'a', 'p1', '--peer', 'b'], options)).toEqual({ values: { peer: ['a', 'b'] }, positionals: ['p1'] });
  });

  it('exits 2 through the CLI, naming the option', async () => {
    const r = await runLocus(['geo', 'verify', '--landmarks', 'l', '--rtts', 'r', '--margin-km', '25', '--margin-km', '30']);
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe('locus: error LOCUS_ERR_CLI_USAGE: locus geo verify: option --margin-km is given more than once; give it once');
  });
});

describe('numeric options', () => {
  it.each([
    [['server', 'start', '--port', '-1'], 'locus server start: --port must be a whole number from 0 to 65535, got "-1"'],
    [['server', 'start', '--port', '80.5'], 'locus server start: --port must be a whole number from 0 to 65535, got "80.5"'],
    [['start', '--port', '-1'], 'locus start: --port must be a whole number from 0 to 65535, got "-1"'],
    [['landmark', 'serve', '--id', 'syd-1', '--lat', '-33.87', '--lon', '151.21', '--country', 'AU', '--key', 'k', '--port', '-1'], 'locus landmark serve: --port must be a whole number from 0 to 65535, got "-1"'],
    [['agent', 'run', '--interval-s', '-5', '--state-dir', '/nonexistent'], 'locus agent run: --interval-s must be a number of seconds from 0.1 to 3600, got "-5"'],
    [['geo', 'verify', '--landmarks', 'l', '--rtts', 'r', '--margin-km', '-3'], 'locus geo verify: --margin-km must be a number of km from 0 to 1000, got "-3"'],
    [['geo', 'plan', '--landmarks', 'l', '--candidates', 'c', '--hosts', 'h', '--margin-km', '-3'], 'locus geo plan: --margin-km must be a number of km from 0 to 1000, got "-3"'],
    [['geo', 'coverage', '--landmarks', 'l', '--out', 'o', '--margin-km', '-3'], 'locus geo coverage: --margin-km must be a number of km from 0 to 1000, got "-3"'],
    [['proof', 'verify', 'p.json', '--margin-km', '-3'], 'locus proof verify: --margin-km must be a number of km from 0 to 1000, got "-3"'],
    [['proof', 'verify', 'p.json', '--window-hours', '-1'], 'locus proof verify: --window-hours must be a number of hours from 0 to 8760, got "-1"'],
    [['landmark', 'calibrate', '--lat', '50', '--lon', '8', '--timeout-s', '-1'], 'locus landmark calibrate: --timeout-s must be a number of seconds from 1 to 3600, got "-1"'],
    [['landmark', 'calibrate', '--lat', '-91', '--lon', '8'], 'locus landmark calibrate: --lat must be a number of degrees from -90 to 90, got "-91"'],
  ])('%j: says what the number must be, with exit 2', async (args, message) => {
    const r = await runLocus(args);
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/ambiguous/);
    if (message !== null) expect(r.stderr.split('\n')[0]).toBe(`locus: error LOCUS_ERR_CLI_USAGE: ${message}`);
  });

  it('names PORT when the bad port came from the environment', async () => {
    let stderr = '';
    const { run } = await import('../main.js');
    const code = await run(['start'], { stdout: () => {}, stderr: (t) => void (stderr += t), stderrIsTty: false, env: { PORT: '-1' }, cwd: process.cwd() });
    expect(code).toBe(2);
    expect(stderr).toMatch(/^locus: error LOCUS_ERR_CLI_USAGE: locus start: PORT must be a whole number from 0 to 65535, got "-1"\n/);
  });

  it('takes a negative latitude and longitude as values, not as options', async () => {
    const r = await runLocus(['landmark', 'calibrate', '--lat', '-33.87', '--lon', '-181']);
    expect(r.stderr).toMatch(/--lon must be a number of degrees from -180 to 180, got "-181"/);
    const ok = await runLocus(['landmark', 'calibrate', '--lat', '40.71', '--lon', '-74.01']);
    expect(ok.stderr).toMatch(/missing --peer URL/);
  });
});

describe('URL options', () => {
  it.each([
    [['agent', 'enroll', '--server', 'https://', '--token-file', 'x'], 'locus agent enroll: --server must be an http:// or https:// URL, got "https://"'],
    [['agent', 'precheck', '--landmark', 'landmark.example:7443'], 'locus agent precheck: --landmark must be a ws:// or wss:// URL, got "landmark.example:7443"'],
    [['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--server', 'locus.example'], 'locus landmark serve: --server must be an http:// or https:// URL, got "locus.example"'],
  ])('%j: names the option and the schemes it takes, with exit 2', async (args, message) => {
    const r = await runLocus(args);
    expect(r.stderr.split('\n')[0]).toBe(`locus: error LOCUS_ERR_CLI_USAGE: ${message}`);
    expect(r.stderr).toMatch(/\nFor example: --\S+ \S+:\/\/\S+\n$/);
    expect(r.code).toBe(2);
  });
});

describe('URL options with credentials', () => {
  it.each([
    [['landmark', 'serve', '--id', 'fra', '--lat', '50', '--lon', '8', '--country', 'DE', '--key', 'k', '--server', 'https://ops:s3cret@locus.example/base'], 'locus landmark serve: --server must not hold a user name or password (https://locus.example/base with credentials)'],
    [['agent', 'precheck', '--landmark', 'wss://:s3cret@landmark.example:7443/v1/timing'], 'locus agent precheck: --landmark must not hold a user name or password (wss://landmark.example:7443/v1/timing with credentials)'],
    [['agent', 'enroll', '--server', 'http://ops@locus.example', '--token-file', 'x'], 'locus agent enroll: --server must not hold a user name or password (http://locus.example with credentials)'],
  ])('%j: refused with exit 2, the password never echoed', async (args, message) => {
    const r = await runLocus(args);
    expect(r.stderr.split('\n')[0]).toBe(`locus: error LOCUS_ERR_CLI_USAGE: ${message}: the URL is logged and shown in status`);
    expect(r.stderr).toMatch(/never with a password in a URL/);
    expect(r.stderr + r.stdout).not.toMatch(/s3cret|ops@/);
    expect(r.code).toBe(2);
  });
});

describe('unknown options', () => {
  it.each([
    ['a command without positional arguments', ['server', 'migrate', '--bogus'], 'locus server migrate'],
    ['a command with positional arguments', ['proof', 'verify', 'proof.json', '--bogus'], 'locus proof verify'],
    ['another command with positional arguments', ['report', 'verify', 'r.csv', 'r.sig', '--bogus'], 'locus report verify'],
  ])('are named alone, with where to look, in %s', async (_, args, command) => {
    const r = await runLocus(args);
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_CLI_USAGE: ${command}: Unknown option '--bogus'\nRun \`${command} --help\` for the options.\n`);
    expect(r.code).toBe(2);
  });
});

describe('--speed', () => {
  it.each([
    ['locus geo verify', ['geo', 'verify', '--landmarks', 'l.csv', '--rtts', 'r.csv']],
    ['locus geo plan', ['geo', 'plan', '--landmarks', 'l.csv', '--candidates', 'c.csv', '--hosts', 'h.csv']],
    ['locus geo coverage', ['geo', 'coverage', '--landmarks', 'l.csv', '--out', 'c.geojson']],
    ['locus proof verify', ['proof', 'verify', 'proof.json']],
  ])('%s: a model it does not know says what it takes and where to look', async (command, args) => {
    const r = await runLocus([...args, '--speed', 'warp']);
    expect(r.stderr).toBe(`locus: error LOCUS_ERR_CLI_USAGE: ${command}: --speed: speed must be "vacuum", "fiber" or a number of km/ms, got "warp"\nRun \`${command} --help\` for the options.\n`);
    expect(r.code).toBe(2);
  });
});
