import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MeasurementBatch } from '@locus/protocol';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { ApiError } from '../errors.js';

const Outcome = z.object({
  accepted: z.number().int(),
  duplicates: z.number().int(),
  rejected: z.array(z.object({ index: z.number().int(), code: z.string(), message: z.string() })),
});

export const measurementRoutes =
  (ctx: AppContext): FastifyPluginAsyncZod =>
  async (app) => {
    // No token: each measurement carries its registered landmark's signature, which is the
    // authentication. A measurement that does not verify is refused one by one, never stored.
    let inFlight = 0;
    app.post(
      '/measurements',
      {
        // Anyone may send, and checking up to 1,000 signatures a delivery costs. Counted once the
        // body is in, so that senders who never finish theirs hold no place.
        preValidation: async (_request, reply) => {
          if (inFlight >= ctx.config.measurementsMaxInFlight) {
            reply.header('retry-after', String(1 + Math.floor(Math.random() * 5)));
            throw new ApiError('LOCUS_ERR_RATE_LIMITED', `the server is checking ${inFlight} deliveries of measurements; retry after the time in Retry-After`);
          }
          inFlight++;
          reply.raw.once('close', () => inFlight--);
        },
        schema: {
          summary: 'Deliver signed landmark measurements',
          description: 'Each measurement must be signed by a registered landmark at its registered place, be fresh, and not be a replay. Re-delivered measurements count as duplicates.',
          tags: ['landmarks'],
          security: [],
          body: MeasurementBatch,
          response: { 200: Outcome },
        },
      },
      async (request) => {
        const outcome = await ctx.verification.ingest(request.body.measurements);
        ctx.metrics.measurements.inc({ result: 'accepted' }, outcome.accepted);
        ctx.metrics.measurements.inc({ result: 'duplicate' }, outcome.duplicates);
        ctx.metrics.measurements.inc({ result: 'rejected' }, outcome.rejected.length);
        return { ...outcome, rejected: [...outcome.rejected] };
      },
    );
  };
