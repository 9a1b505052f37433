import { NVLINK_MAX_LINKS, NVML_DEVICE_QUERIES, NVML_RETURN, nvmlOk, type Nvml, type NvmlDevice, type NvmlDeviceQueries, type NvmlDeviceQuery, type NvmlResult, type NvlinkCounter } from './api.js';

export type NvmlQueryResults = { readonly [Q in NvmlDeviceQuery]?: NvmlResult<NvmlDeviceQueries[Q]> };

export interface NvmlLinkReading {
  readonly link: number;
  readonly active: boolean;
  readonly errors: { readonly [C in NvlinkCounter]: NvmlResult<number> };
}

/** What NVML answered about one GPU, call by call: the mapper decides what each answer means. */
export interface NvmlGpuReading {
  readonly index: number;
  readonly results: NvmlQueryResults;
  /** The links that answered, numbered from 0; the failure of link 0 when none did. */
  readonly nvlink: NvmlResult<readonly NvmlLinkReading[]>;
  /** NVML said GPU_IS_LOST (fell off the bus): reading stopped at that call. */
  readonly lost: boolean;
  /** Why NVML gave no handle for this index (e.g. NO_PERMISSION); absent when it gave one. */
  readonly noHandle?: number;
}

export interface NvmlHostReading {
  readonly driverVersion: NvmlResult<string>;
  readonly cudaDriverVersion: NvmlResult<number>;
  readonly deviceCount: NvmlResult<number>;
  readonly gpus: readonly NvmlGpuReading[];
}

const lostCode = (r: NvmlResult<unknown>): boolean => !r.ok && r.code === NVML_RETURN.GPU_IS_LOST;

class GpuLost extends Error {}

/** Runs `query`, turning GPU_IS_LOST into an exception that ends this GPU's reading. */
function must<T>(result: NvmlResult<T>): NvmlResult<T> {
  if (lostCode(result)) throw new GpuLost();
  return result;
}

function readLinks(nvml: Nvml, device: NvmlDevice): NvmlResult<readonly NvmlLinkReading[]> {
  const links: NvmlLinkReading[] = [];
  // Links are numbered from 0; the first one that does not answer ends the list.
  for (let link = 0; link < NVLINK_MAX_LINKS; link++) {
    const active = must(nvml.nvlinkActive(device, link));
    if (!active.ok) return link === 0 ? active : nvmlOk(links);
    const counter = (c: NvlinkCounter) => must(nvml.nvlinkErrors(device, link, c));
    links.push({ link, active: active.value, errors: { replay: counter('replay'), recovery: counter('recovery'), crcFlit: counter('crcFlit'), crcData: counter('crcData') } });
  }
  return nvmlOk(links);
}

/** Reads one GPU: every query once, then its NVLinks. Stops at the first GPU_IS_LOST. */
export function readNvmlGpu(nvml: Nvml, index: number): NvmlGpuReading {
  const results: { [Q in NvmlDeviceQuery]?: NvmlResult<NvmlDeviceQueries[Q]> } = {};
  const handle = nvml.device(index);
  if (!handle.ok) return { index, results, nvlink: handle, lost: lostCode(handle), noHandle: handle.code };
  try {
    for (const query of NVML_DEVICE_QUERIES) (results as Record<string, NvmlResult<unknown>>)[query] = must(nvml.query(handle.value, query));
    return { index, results, nvlink: readLinks(nvml, handle.value), lost: false };
  } catch (error) {
    if (!(error instanceof GpuLost)) throw error;
    return { index, results, nvlink: { ok: false, code: NVML_RETURN.GPU_IS_LOST }, lost: true };
  }
}

/** One pass over every GPU NVML knows. */
export function readNvmlHost(nvml: Nvml): NvmlHostReading {
  const deviceCount = nvml.deviceCount();
  const count = deviceCount.ok ? deviceCount.value : 0;
  return {
    driverVersion: nvml.driverVersion(),
    cudaDriverVersion: nvml.cudaDriverVersion(),
    deviceCount,
    gpus: Array.from({ length: count }, (_, index) => readNvmlGpu(nvml, index)),
  };
}
