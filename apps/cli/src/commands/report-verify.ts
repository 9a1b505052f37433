import { checkReport, ReportKey, type PublicKeyText, type ReportCheck } from '@locus/protocol';
import { CliError, usageError } from '../errors.js';
import { readFileBytes, readJsonFile, readTextFile } from '../files.js';
import { printableLines, type Io } from '../io.js';
import { parseCommandLine } from './args.js';

const NAME = 'locus report verify';

export const HELP = `Usage: ${NAME} FILE SIG (--key KEY.json | --server URL) [--json]

Checks a signed Locus report offline: that FILE is byte for byte the file the server signed,
and that SIG (its detached signature) was made by the key you trust. Prints what the
signature states: the report's organization, format, zone filter and time.

Options:
  --key FILE     the server's report key, as saved from URL/.well-known/locus-report-key
                 (the auditor's copy, kept apart from the report)
  --server URL   fetch that key from the server now (trusts the connection to it)
  --json         print the result as JSON
  -h, --help     show this help

Exit codes:
  0  the report verifies
  1  it does not, and each reason is named: FILE is not the file signed, the signature is
     not by the key you trust or does not match its statement, or SIG is not a Locus report
     signature at all (empty, not JSON, a bare signature, a field missing or malformed);
     also when --server cannot be reached (LOCUS_ERR_SERVER_REFUSED on stderr, nothing
     checked)
  2  a bad option, a file that cannot be read (FILE, SIG or --key), or a --key or --server
     key that is not a Locus report key
`;

/** SIG as the JSON it should be; what it is instead is a reason it does not verify, not bad input. */
function signatureDocument(text: string): { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly problem: string } {
  const expected = 'a Locus report signature is the JSON document saved beside the report, {"kind": "locus-report-signature", …, "signature": …}';
  if (text.trim() === '') return { ok: false, problem: `not a Locus report signature: the file is empty (${expected})` };
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, problem: `not a Locus report signature: the file is not JSON (${expected})` };
  }
}

/** The `kind` a Locus JSON document names, if the bytes are one: to tell a user who passed the files in the wrong places which is which. */
function kindOf(bytes: Uint8Array | string): string | undefined {
  try {
    const value = JSON.parse(typeof bytes === 'string' ? bytes : Buffer.from(bytes).toString('utf8')) as unknown;
    const kind = (value as { kind?: unknown } | null)?.kind;
    return typeof kind === 'string' ? kind : undefined;
  } catch {
    return undefined;
  }
}

/** Why SIG does not verify when it, or FILE, is another of Locus's documents: the files given in each other's places. */
function misplaced(file: Uint8Array, sigText: string): string | undefined {
  if (kindOf(sigText) === 'locus-report-key') return 'SIG is the report key, not a signature: give the key with --key, and the signature file (saved beside the report) as SIG';
  if (kindOf(file) === 'locus-report-signature') return 'FILE is a signature and SIG is not: give the report first, then its signature (locus report verify FILE SIG)';
  return undefined;
}

/** The key's URL under the server's: appended to its path (https://host/locus → https://host/locus/.well-known/…), as the agent and landmark join theirs. */
function keyUrl(server: string): URL {
  try {
    const url = new URL(server);
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/.well-known/locus-report-key`;
    if (url.protocol === 'http:' || url.protocol === 'https:') return url;
  } catch {
    // not a URL: said below
  }
  throw usageError(`${NAME}: --server ${server} is not a URL`, 'Give the server as http(s)://HOST[:PORT].');
}

async function fetchKey(url: URL): Promise<unknown> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(15_000) });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    return (await res.json()) as unknown;
  } catch (error) {
    // fetch says only "fetch failed"; why (refused, no such host, a certificate, a port it blocks) is its cause.
    const { message, cause } = error as Error & { cause?: { message?: unknown } };
    const why = typeof cause?.message === 'string' && cause.message !== '' ? `${message}: ${cause.message}` : message;
    throw new CliError('LOCUS_ERR_SERVER_REFUSED', `${NAME}: cannot read ${url.href}: ${why}`, 'Check the URL, or pass --key with a saved copy of the key.');
  }
}

export async function run(args: readonly string[], io: Io): Promise<number> {
  const { values: v, positionals } = parseCommandLine(NAME, args, { key: { type: 'string' }, server: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
  if (v.help) {
    io.stdout(HELP);
    return 0;
  }
  if (positionals.length !== 2) throw usageError(`${NAME}: give the report file and its signature file, got ${positionals.length} argument(s)`, `Run \`${NAME} --help\`.`);
  if ((v.key === undefined) === (v.server === undefined)) {
    throw usageError(`${NAME}: say which key to trust with exactly one of --key or --server`, 'A signature proves only who signed; the key you trust says who that must be.');
  }
  const url = v.server === undefined ? undefined : keyUrl(v.server);
  const [filePath, sigPath] = positionals as [string, string];
  const file = readFileBytes(filePath, 'report');
  const sigText = readTextFile(sigPath, 'signature');
  const signature = signatureDocument(sigText);
  const keySource = url?.href ?? v.key!;
  const key = url ? await fetchKey(url) : readJsonFile(v.key!, 'report key');
  const keyDoc = ReportKey.safeParse(key);
  if (!keyDoc.success) {
    const isSignature = (key as { kind?: unknown } | null)?.kind === 'locus-report-signature';
    throw new CliError(
      'LOCUS_ERR_INPUT_VALUE',
      `${keySource}: not a Locus report key (expected {"kind": "locus-report-key", "v": 1, "algorithm": "ed25519", "publicKey": …})`,
      isSignature ? "That is a report's signature: the key is the document saved from the server's /.well-known/locus-report-key." : undefined,
    );
  }
  const trusted: PublicKeyText[] = [keyDoc.data.publicKey];
  const checked: ReportCheck = signature.ok ? checkReport(file, signature.value, trusted) : { ok: false, problems: [signature.problem] };
  const why = checked.ok ? undefined : misplaced(file, sigText);
  const result: ReportCheck = checked.ok || why === undefined ? checked : { ok: false, problems: [why, ...checked.problems] };
  if (v.json) io.stdout(`${JSON.stringify(result, null, 2)}\n`);
  else if (result.ok) {
    const s = result.statement;
    io.stdout(
      printableLines([
        `report verifies: ${filePath} (${s.bytes} bytes, SHA-256 ${s.sha256})`,
        `  ${s.report} report ${s.reportId}, ${s.format.toUpperCase()}, organization ${s.orgId}, ${s.zoneId ? `zone ${s.zoneId}` : 'every zone'}, made ${s.createdAt}`,
        `  signed by ${s.publicKey} (the key in ${keySource})`,
      ]),
    );
  } else {
    io.stdout(printableLines([`report does NOT verify (${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}):`, ...result.problems.map((p) => `  ${p}`)]));
  }
  return result.ok ? 0 : 1;
}
