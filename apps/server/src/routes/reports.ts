import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { REPORT_FORMATS, ReportKey, reportKeyDocument, signReport, type ReportFormat, type ReportSignature } from '@locus/protocol';
import type { ReportEntry } from '@locus/storage';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { requirePermission } from '../auth.js';
import { ApiError } from '../errors.js';
import { fleetRows } from '../fleet.js';
import { renderReport, reportKey } from '../reports.js';

const Params = z.object({ id: z.string().min(1).max(100) });
const CreateBody = z.strictObject({ format: z.enum(REPORT_FORMATS).default('csv'), zoneId: z.string().min(1).max(100).nullable().default(null) });
const CONTENT_TYPES: Record<ReportFormat, string> = { json: 'application/json; charset=utf-8', csv: 'text/csv; charset=utf-8' };

const entryView = (r: ReportEntry) => {
  const sig = JSON.parse(r.signature) as ReportSignature;
  return { id: r.id, format: r.format, zoneId: r.zone_id, createdAt: new Date(r.created_at).toISOString(), bytes: sig.bytes, sha256: sig.sha256, publicKey: sig.publicKey, file: `/api/v1/reports/${r.id}`, signature: `/api/v1/reports/${r.id}/signature` };
};
/** A report as the API lists it (entryView): its file and detached signature are downloads of their own. */
const ReportView = z.object({
  id: z.string(),
  format: z.string(),
  zoneId: z.string().nullable(),
  createdAt: z.string(),
  bytes: z.number().int(),
  sha256: z.string(),
  publicKey: z.string(),
  file: z.string().describe('path of the file, byte for byte as signed'),
  signature: z.string().describe('path of its detached signature'),
});
const fileName = (r: ReportEntry) => `locus-fleet-${new Date(r.created_at).toISOString().slice(0, 10)}-${r.id.slice(0, 8)}`;

/** Signed fleet inventory and health reports, and the key that signs them. */
export const reportRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    app.get('/.well-known/locus-report-key', { schema: { summary: 'The public key that signs reports (for `locus report verify --key`)', tags: ['reports'], security: [], response: { 200: ReportKey } } }, async () =>
      reportKeyDocument((await reportKey(ctx.repos, ctx.clock.now().getTime())).publicKey),
    );

    app.post(
      '/api/v1/reports',
      { schema: { summary: 'Make a signed fleet inventory and health report (JSON or CSV), of one zone if given', tags: ['reports'], body: CreateBody, response: { 201: ReportView } } },
      async (request, reply) => {
        const caller = await ctx.caller(request);
        // A report made now is the live inventory: an auditor reads the reports the operator made, not the fleet.
        requirePermission(caller, 'fleet:read');
        const { format, zoneId } = request.body;
        const zone = zoneId === null ? undefined : await ctx.repos.zones.get(caller.orgId, zoneId);
        if (zoneId !== null && !zone) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no zone "${zoneId}"`);
        const now = ctx.clock.now().getTime();
        const id = randomUUID();
        const body = renderReport(format, { id, orgId: caller.orgId, createdAt: now, zone }, await fleetRows(ctx.repos, caller.orgId, zoneId ?? undefined));
        const signature = signReport(Buffer.from(body, 'utf8'), { reportId: id, orgId: caller.orgId, report: 'fleet', format, zoneId, createdAt: new Date(now).toISOString() }, await reportKey(ctx.repos, now));
        const entry: ReportEntry = { id, org_id: caller.orgId, format, zone_id: zoneId, created_at: now, created_by: caller.tokenId, signature: JSON.stringify(signature, null, 2) };
        await ctx.repos.reports.add({ ...entry, body });
        return reply.code(201).send(entryView(entry));
      },
    );

    app.get(
      '/api/v1/reports',
      { schema: { summary: 'Reports made, newest first', tags: ['reports'], querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }), response: { 200: z.object({ reports: z.array(ReportView) }) } } },
      async (request) => {
        const caller = await ctx.caller(request);
        requirePermission(caller, 'reports:read');
        return { reports: (await ctx.repos.reports.list(caller.orgId, request.query.limit)).map(entryView) };
      },
    );

    const reportOf = async (orgId: string, id: string) => {
      const report = await ctx.repos.reports.get(orgId, id);
      if (!report) throw new ApiError('LOCUS_ERR_NOT_FOUND', `no report "${id}"`);
      return report;
    };

    app.get('/api/v1/reports/:id', { schema: { summary: 'A report file, byte for byte as signed', tags: ['reports'], params: Params } }, async (request, reply) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'reports:read');
      const report = await reportOf(caller.orgId, request.params.id);
      return reply
        .type(CONTENT_TYPES[report.format as ReportFormat] ?? 'application/octet-stream')
        .header('content-disposition', `attachment; filename="${fileName(report)}.${report.format}"`)
        .send(report.body);
    });

    app.get('/api/v1/reports/:id/signature', { schema: { summary: "A report's detached signature (for `locus report verify FILE SIG`)", tags: ['reports'], params: Params } }, async (request, reply) => {
      const caller = await ctx.caller(request);
      requirePermission(caller, 'reports:read');
      const report = await reportOf(caller.orgId, request.params.id);
      return reply
        .type('application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="${fileName(report)}.${report.format}.sig"`)
        .send(`${report.signature}\n`);
    });
  };
