import type { KeyObject } from 'node:crypto';
import { z } from 'zod';
import type { Json } from './canonical.js';
import { sha256, signJson, verifyJson, type PublicKeyText } from './keys.js';
import { PublicKey } from './messages.js';

/**
 * Signed reports. A report is a file (JSON or CSV) and a detached signature beside it. The
 * signature covers the file's SHA-256 and length together with what the report is (its id,
 * organization, kind, format, zone filter and time), so that neither the bytes nor the
 * description can be swapped.
 */
export const REPORT_FORMATS = ['json', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const ReportStatement = z.strictObject({
  kind: z.literal('locus-report-signature'),
  v: z.literal(1),
  reportId: z.string().min(1).max(100),
  orgId: z.string().min(1).max(100),
  report: z.literal('fleet'),
  format: z.enum(REPORT_FORMATS),
  zoneId: z.string().max(100).nullable(),
  createdAt: z.iso.datetime(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().length(43),
  publicKey: PublicKey,
});
export type ReportStatement = z.infer<typeof ReportStatement>;

export const ReportSignature = ReportStatement.extend({ signature: z.string().length(86) });
export type ReportSignature = z.infer<typeof ReportSignature>;

/** What `/.well-known/locus-report-key` serves: the key reports are signed with. */
export const ReportKey = z.strictObject({ kind: z.literal('locus-report-key'), v: z.literal(1), algorithm: z.literal('ed25519'), publicKey: PublicKey });
export type ReportKey = z.infer<typeof ReportKey>;

export const reportKeyDocument = (publicKey: PublicKeyText): ReportKey => ({ kind: 'locus-report-key', v: 1, algorithm: 'ed25519', publicKey });

export function signReport(file: Uint8Array, about: Omit<ReportStatement, 'kind' | 'v' | 'bytes' | 'sha256' | 'publicKey'>, key: { readonly publicKey: PublicKeyText; readonly privateKey: KeyObject }): ReportSignature {
  const statement: ReportStatement = { kind: 'locus-report-signature', v: 1, ...about, bytes: file.byteLength, sha256: sha256(file), publicKey: key.publicKey };
  return { ...statement, signature: signJson('report', statement as unknown as Json, key.privateKey) };
}

export type ReportCheck = { readonly ok: true; readonly statement: ReportStatement } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks a report file against its detached signature and the keys the reader trusts. Every
 * problem found is named; a signature by a key that is not trusted is a problem, however valid.
 */
export function checkReport(file: Uint8Array, signature: unknown, trusted: readonly PublicKeyText[]): ReportCheck {
  const parsed = ReportSignature.safeParse(signature);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return { ok: false, problems: [`not a Locus report signature (${issue.path.join('.') || 'document'}: ${issue.message})`] };
  }
  const { signature: sig, ...statement } = parsed.data;
  const problems: string[] = [];
  if (!trusted.includes(statement.publicKey)) problems.push(`signed by key ${statement.publicKey}, which is not the key you trust (${trusted.join(', ') || 'none given'})`);
  if (!verifyJson('report', statement as unknown as Json, statement.publicKey, sig)) problems.push('the signature does not match the statement: the signature file was altered or not made by this key');
  if (file.byteLength !== statement.bytes) problems.push(`the file has ${file.byteLength} bytes; the signature is for ${statement.bytes}`);
  else if (sha256(file) !== statement.sha256) problems.push('the file differs from the one signed (SHA-256 mismatch)');
  return problems.length === 0 ? { ok: true, statement } : { ok: false, problems };
}
