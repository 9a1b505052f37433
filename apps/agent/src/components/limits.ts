/**
 * The thresholds the health components judge by, with their units, in one place. Where DCGM's
 * health watches have one (dcgm `dcgm_gpu_hardware_limits.h`, `DcgmHealthWatch.cpp`), it is
 * theirs, so that Locus and `dcgmi health` agree on the same GPU.
 */

/**
 * PCIe replays per minute above which a link is marginal (seating, riser, retimer): DCGM's
 * DCGM_LIMIT_MAX_PCIREPLAY_RATE, "the maximum recommended by RM" (NVIDIA's resource manager).
 */
export const PCIE_REPLAYS_MAX_PER_MIN = 8;

/**
 * NVLink CRC errors per second at or above which a link is failing: DCGM_LIMIT_MAX_NVLINK_CRC_ERROR
 * ("CRC errors only matter at rates of 100+ per second"). Fewer are corrected by a replay and
 * only noted.
 */
export const NVLINK_CRC_ERRORS_MAX_PER_S = 100;

/**
 * NVLink replays or recoveries in the window from which a link is failing: DCGM fails its NVLink
 * watch on one (DCGM_LIMIT_MAX_NVLINK_ERROR). A recovery retrains the link, stalling traffic.
 */
export const NVLINK_REPLAY_RECOVERY_MAX = 1;

/**
 * How far back the daemon compares counters, in seconds: a rate over a few minutes rather than
 * one interval, so that a burst keeps a GPU degraded for this long after it stops instead of
 * flapping every pass, and a handful of errors in one 10-s interval is not read as a high rate.
 */
export const RATE_WINDOW_S = 300;

/**
 * Retired pages (single- plus double-bit) at or above which the GPU's memory has run out of
 * spares: DCGM_LIMIT_MAX_RETIRED_PAGES, the limit of NVIDIA's field diagnostic. A later
 * double-bit error can no longer be retired.
 */
export const RETIRED_PAGES_MAX = 63;

/**
 * Pages retired for double-bit errors above which any further one is a failing memory:
 * DCGM_LIMIT_MAX_RETIRED_PAGES_SOFT_LIMIT. DCGM fails a GPU past it that keeps retiring more
 * than one a week; any increase within RATE_WINDOW_S is far more than that.
 */
export const RETIRED_PAGES_DBE_SOFT_LIMIT = 15;
