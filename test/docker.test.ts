import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LOCUS_BIN, locusHelpShim } from './support/locus-shim.js';
import { dockerIgnores, parseDockerfile, readDockerfile, type Instruction, type Stage } from './support/dockerfile.js';

/**
 * deploy/docker/Dockerfile.{server,landmark}, checked without a Docker daemon: what they copy
 * exists after the build, the command is one `locus` accepts, they run as a non-root user, on
 * the CLI's default ports, and the server's health check works against a live /healthz.
 */
const root = resolve(fileURLToPath(import.meta.url), '../..');
const ignore = readFileSync(join(root, '.dockerignore'), 'utf8')
  .split('\n')
  .map((l) => l.trim())
  .filter((l) => l !== '' && !l.startsWith('#'));
const help = (args: readonly string[]) => spawnSync(process.execPath, [LOCUS_BIN, ...args, '--help'], { encoding: 'utf8' }).stdout;
/** The default port a command's --help states. */
const defaultPort = (args: readonly string[]) => Number(/--port PORT\s+port \(default (?:\$PORT, else )?(\d+)/.exec(help(args))?.[1]);

const all = (stage: Stage, keyword: string): Instruction[] => stage.instructions.filter((i) => i.keyword === keyword);
const last = (stage: Stage, keyword: string): Instruction | undefined => all(stage, keyword).at(-1);

describe.each([
  { image: 'server', command: ['server', 'start'], volume: '/var/lib/locus-server', env: {} },
  { image: 'landmark', command: ['landmark', 'serve'], volume: '/var/lib/locus-landmark', env: { LANDMARK_ID: 'fra-1', LANDMARK_LAT: '50.1109', LANDMARK_LON: '8.6821', LANDMARK_COUNTRY: 'DE', LOCUS_SERVER: 'https://locus.example.com', LOCUS_METRICS: '0.0.0.0:9402' } },
])('deploy/docker/Dockerfile.$image', ({ image, command, volume, env }) => {
  const stages = readDockerfile(join(root, `deploy/docker/Dockerfile.${image}`));
  const [build, runtime] = [stages[0]!, stages.at(-1)!];

  it('builds in a node 20 stage with npm ci and runs in a separate slim node 20 stage', () => {
    expect(stages).toHaveLength(2);
    expect(build.from).toMatch(/^node:20(-|$)/);
    expect(build.name).toBe('build');
    expect(all(build, 'RUN').map((r) => r.raw).join('\n')).toMatch(/npm ci\b/);
    expect(runtime.from).toMatch(/^node:20-bookworm-slim$/);
  });

  it('copies into the build stage only what .dockerignore lets through, and all the build needs', () => {
    for (const copy of all(build, 'COPY')) expect(copy.args.slice(0, -1).every((src) => existsSync(join(root, src)))).toBe(true);
    for (const needed of ['package.json', 'package-lock.json', 'scripts/build.mjs', 'apps/cli/bin/locus.js', 'apps/cli/src/main.ts', 'apps/dashboard/index.html', 'packages/geo/package.json']) {
      expect(dockerIgnores(ignore, needed), needed).toBe(false);
    }
    for (const left of ['node_modules/zod/package.json', 'apps/cli/node_modules/x', 'apps/cli/dist/main.js', '.locus-data/server/locus.db', '.git/HEAD']) expect(dockerIgnores(ignore, left), left).toBe(true);
  });

  it('copies from the build stage only paths the checkout has once built', () => {
    const copies = all(runtime, 'COPY');
    expect(copies.length).toBeGreaterThan(0);
    for (const copy of copies) {
      expect(copy.flags.from).toBe('build');
      for (const src of copy.args.slice(0, -1)) {
        expect(src.startsWith('/src/'), src).toBe(true);
        expect(existsSync(join(root, src.slice('/src/'.length))), src).toBe(true);
      }
    }
    const copied = copies.map((c) => c.args[0]);
    expect(copied).toEqual(expect.arrayContaining(['/src/node_modules', '/src/apps/cli/bin', '/src/apps/cli/dist']));
    if (image === 'server') expect(copied).toContain('/src/apps/dashboard/dist');
  });

  it('runs as a user that is not root', () => {
    const user = last(runtime, 'USER')?.args[0];
    expect(user).toBeDefined();
    expect(user!.split(':')[0]).not.toMatch(/^(root|0)$/);
    expect(all(runtime, 'RUN').map((r) => r.raw).join('\n')).toContain(`useradd --system --uid 10001 --gid locus --home-dir ${volume}`);
  });

  it('keeps its state on a volume it owns', () => {
    expect(last(runtime, 'VOLUME')?.args).toEqual([volume]);
    expect(all(runtime, 'RUN').map((r) => r.raw).join('\n')).toContain(`chown locus:locus ${volume}`);
  });

  it('exposes the port the command listens on by default', () => {
    const port = defaultPort(command);
    expect(port).toBeGreaterThan(0);
    expect(last(runtime, 'EXPOSE')?.args).toEqual([String(port)]);
    if (image === 'server') expect(last(runtime, 'ENV')?.raw).toContain(`PORT=${port}`);
  });

  it(`starts \`locus ${command.join(' ')}\` with options the command accepts`, () => {
    const cmd = last(runtime, 'CMD')!;
    expect(cmd.exec).toBe(true);
    expect(last(runtime, 'ENTRYPOINT')).toBeUndefined();
    expect(all(runtime, 'RUN').map((r) => r.raw).join('\n')).toContain('ln -s /opt/locus/apps/cli/bin/locus.js /usr/local/bin/locus');
    // The command line as the image runs it, with `locus` the checkout's CLI and --help appended: an unknown option or missing value is a usage error.
    const shim = locusHelpShim();
    const run = spawnSync(cmd.args[0]!, cmd.args.slice(1), { encoding: 'utf8', env: { PATH: `${shim}:/usr/bin:/bin`, ...env } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: locus ${command.join(' ')} `));
    expect(cmd.args.join(' ')).toContain(volume);
  });
});

describe('the server image’s health check', () => {
  const runtime = readDockerfile(join(root, 'deploy/docker/Dockerfile.server')).at(-1)!;
  const check = last(runtime, 'HEALTHCHECK')!;

  /** Runs the check's command against a server answering /healthz with `status`. */
  async function probe(status: number): Promise<{ code: number | null; paths: string[] }> {
    const paths: string[] = [];
    const server = createServer((req, res) => {
      paths.push(req.url ?? '');
      res.writeHead(req.url === '/healthz' ? status : 404).end('{}');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const [, ...cmd] = check.args.slice(1);
      const child = spawn(process.execPath, cmd, { env: { PORT: String((server.address() as AddressInfo).port) }, stdio: 'ignore' });
      const code = await new Promise<number | null>((r) => child.on('exit', r));
      return { code, paths };
    } finally {
      server.close();
    }
  }

  it('is an exec-form node command, since the slim image has no curl', () => {
    expect(check.exec).toBe(true);
    expect(check.args.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(check.flags).toMatchObject({ interval: '30s', 'start-period': '30s' });
  });

  it('passes when /healthz answers 200 and fails otherwise', async () => {
    expect(await probe(200)).toEqual({ code: 0, paths: ['/healthz'] });
    expect((await probe(503)).code).toBe(1);
  });

  it('asks a route the server really has', () => {
    expect(readFileSync(join(root, 'apps/server/src/app.ts'), 'utf8')).toContain("app.get('/healthz'");
  });
});

describe('the Dockerfile parser', () => {
  it('joins continued lines, reads flags and the exec form, and splits stages', () => {
    const stages = parseDockerfile('FROM a AS b\nRUN x \\\n  && y\n# note\nFROM c\nCOPY --from=b /src/x ./x\nCMD ["p", "q"]\n');
    expect(stages.map((s) => [s.from, s.name])).toEqual([
      ['a', 'b'],
      ['c', undefined],
    ]);
    expect(stages[0]!.instructions[0]!.raw).toBe('RUN x && y');
    expect(stages[1]!.instructions[0]).toMatchObject({ keyword: 'COPY', flags: { from: 'b' }, args: ['/src/x', './x'] });
    expect(stages[1]!.instructions[1]).toMatchObject({ keyword: 'CMD', exec: true, args: ['p', 'q'] });
  });

  it.each([
    [['**/dist'], 'apps/cli/dist/main.js', true],
    [['**/dist'], 'dist', true],
    [['**/dist'], 'apps/distant/x', false],
    [['.git'], '.git/HEAD', true],
    [['.git'], 'a/.git', false],
    [['*.log', '!keep.log'], 'keep.log', false],
  ])('.dockerignore %j leaves out %s: %s', (patterns, path, ignored) => {
    expect(dockerIgnores(patterns, path)).toBe(ignored);
  });
});

/**
 * The runtime stage's files, laid out as its COPY lines put them under WORKDIR, from this built
 * checkout. node_modules becomes links to the checkout's packages minus the workspaces, as the
 * build stage removes node_modules/@locus: whatever the bundle still needs from them shows.
 */
function runtimeLayout(image: string): string {
  const runtime = readDockerfile(join(root, `deploy/docker/Dockerfile.${image}`)).at(-1)!;
  const workdir = last(runtime, 'WORKDIR')!.args[0]!;
  const dir = mkdtempSync(join(tmpdir(), `locus-image-${image}-`));
  for (const copy of all(runtime, 'COPY')) {
    const [src, dst] = [copy.args[0]!.slice('/src/'.length), join(dir, copy.args[1]!.replace(/^\.\//, '').replace(/^\/opt\/locus\/?/, ''))];
    expect(workdir).toBe('/opt/locus');
    mkdirSync(dirname(dst), { recursive: true });
    if (src !== 'node_modules') cpSync(join(root, src), dst, { recursive: true });
    else {
      mkdirSync(dst);
      for (const entry of readdirSync(join(root, src)).filter((e) => e !== '@locus' && e !== '.bin')) symlinkSync(join(root, src, entry), join(dst, entry));
    }
  }
  return dir;
}

describe('the runtime stage’s files', () => {
  it('start the server, which answers /healthz and serves the dashboard, and stop on SIGTERM', async () => {
    const dir = runtimeLayout('server');
    const child = spawn(process.execPath, [join(dir, 'apps/cli/bin/locus.js'), 'server', 'start', '--host', '127.0.0.1', '--port', '0', '--data-dir', join(dir, 'data')], {
      env: { PATH: process.env.PATH, LOCUS_ADMIN_TOKEN: 'locus_image_test_token' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    child.stderr.on('data', (d: Buffer) => (log += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', r));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "listening" line in 30 s: ${log}`)), 30_000);
        child.stderr.on('data', () => {
          const m = /listening on (http:\/\/\S+) /.exec(log);
          if (m) {
            clearTimeout(timer);
            resolve(m[1]!);
          }
        });
        void exited.then((code) => reject(new Error(`exited with ${code}: ${log}`)));
      });
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const page = await fetch(`${url}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="root">');
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });

  it('run `locus landmark keygen` in the landmark image', () => {
    const dir = runtimeLayout('landmark');
    expect(existsSync(join(dir, 'apps/dashboard'))).toBe(false);
    const keygen = spawnSync(process.execPath, [join(dir, 'apps/cli/bin/locus.js'), 'landmark', 'keygen', '--out', join(dir, 'key')], { encoding: 'utf8' });
    expect(keygen.status, keygen.stderr).toBe(0);
    expect(keygen.stderr).toContain('wrote');
    expect(existsSync(join(dir, 'key/landmark.key'))).toBe(true);
  });
});
