import type { FastifyReply } from 'fastify';
import { ApiError } from './errors.js';

export interface InFlightLimit {
  /** The most requests held at once. */
  readonly max: number;
  /** What the server is busy with, for the refusal's message, given how many it holds. */
  readonly busy: (held: number) => string;
  /** Hears the count each time it changes. */
  readonly onCount?: (held: number) => void;
  /** Hears each refusal. */
  readonly onRefused?: () => void;
}

/**
 * A route hook that holds at most `max` requests at once, each until its connection's answer is
 * done; past it, 429 LOCUS_ERR_RATE_LIMITED with Retry-After 1 to 5 s, spread so that the clients
 * refused together (agents, landmarks: both retry) do not come back together.
 */
export function limitInFlight(limit: InFlightLimit): (request: unknown, reply: FastifyReply) => Promise<void> {
  let held = 0;
  return async (_request, reply) => {
    if (held >= limit.max) {
      limit.onRefused?.();
      reply.header('retry-after', String(1 + Math.floor(Math.random() * 5)));
      throw new ApiError('LOCUS_ERR_RATE_LIMITED', `the server is ${limit.busy(held)}; retry after the time in Retry-After`);
    }
    // Counted apart from the call: `onCount?.(++held)` would skip the count with no listener.
    held++;
    limit.onCount?.(held);
    reply.raw.once('close', () => {
      held--;
      limit.onCount?.(held);
    });
  };
}
