import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { MeasurementBatch, landmarkVersionOf } from '@locus/protocol';
import { z } from 'zod';
import type { AppContext } from '../app.js';
import { refuseForeignVersion } from '../errors.js';
import { limitInFlight } from '../in-flight.js';

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
    app.post(
      '/measurements',
      {
        // Anyone may send, and checking up to 1,000 signatures a delivery costs. Counted once the
        // body is in, so that senders who never finish theirs hold no place.
        preValidation: [
          limitInFlight({ max: ctx.config.measurementsMaxInFlight, busy: (held) => `checking ${held} deliveries of measurements` }),
          // Of a protocol version this server does not read (a landmark newer than it): kept on the landmarks that signed it.
          refuseForeignVersion((body, { code, message }) => ctx.verification.refuseDelivery(body, { code, message })),
        ],
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
        const outcome = await ctx.verification.ingest(request.body.measurements, landmarkVersionOf(request.headers['user-agent']));
        ctx.metrics.measurements.inc({ result: 'accepted' }, outcome.accepted);
        ctx.metrics.measurements.inc({ result: 'duplicate' }, outcome.duplicates);
        ctx.metrics.measurements.inc({ result: 'rejected' }, outcome.rejected.length);
        return { ...outcome, rejected: [...outcome.rejected] };
      },
    );
  };
