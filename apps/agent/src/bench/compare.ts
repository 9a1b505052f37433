/**
 * One full sample of one GPU through Locus's NVML path, against `nvidia-smi -q -x -i 0` and
 * against Python's pynvml reading the same fields, in the same run. Only where a GPU is.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Nvml } from '../nvml/api.js';
import { nvmlGpuSample } from '../nvml/map.js';
import { readNvmlGpu } from '../nvml/read.js';
import { childCpuMs } from './cycle.js';

const run = promisify(execFile);

export interface PerSample {
  readonly samples: number;
  readonly wallMs: number;
  readonly cpuMs: number;
}

export type Measured = PerSample | { readonly absent: string };

/** The same calls Locus makes for one GPU (read.ts), through pynvml; prints its timing as JSON. */
export const PYNVML_SCRIPT = `
import json, sys, time
try:
    import pynvml as n
except Exception as e:
    print(json.dumps({"absent": "pynvml does not import (%s); pip install nvidia-ml-py" % e})); sys.exit(0)
N = int(sys.argv[1])
n.nvmlInit()
h = n.nvmlDeviceGetHandleByIndex(0)
def q(name, *args):
    try:
        return getattr(n, name)(*args)
    except (n.NVMLError, AttributeError):
        return None
def sample():
    for name in ("nvmlDeviceGetUUID", "nvmlDeviceGetPciInfo", "nvmlDeviceGetName", "nvmlDeviceGetSerial", "nvmlDeviceGetBoardPartNumber",
                 "nvmlDeviceGetBoardId", "nvmlDeviceGetVbiosVersion", "nvmlDeviceGetPersistenceMode", "nvmlDeviceGetMigMode",
                 "nvmlDeviceGetComputeMode", "nvmlDeviceGetPowerUsage", "nvmlDeviceGetEnforcedPowerLimit",
                 "nvmlDeviceGetTotalEnergyConsumption", "nvmlDeviceGetUtilizationRates", "nvmlDeviceGetEncoderUtilization",
                 "nvmlDeviceGetDecoderUtilization", "nvmlDeviceGetMemoryInfo",
                 "nvmlDeviceGetEccMode", "nvmlDeviceGetRemappedRows", "nvmlDeviceGetRetiredPagesPendingStatus",
                 "nvmlDeviceGetCurrPcieLinkGeneration", "nvmlDeviceGetMaxPcieLinkGeneration", "nvmlDeviceGetCurrPcieLinkWidth",
                 "nvmlDeviceGetMaxPcieLinkWidth", "nvmlDeviceGetPcieReplayCounter", "nvmlDeviceGetComputeRunningProcesses"):
        q(name, h)
    q("nvmlDeviceGetTemperature", h, 0)
    q("nvmlDeviceGetFieldValues", h, [82])
    for clock in (1, 2):
        q("nvmlDeviceGetClockInfo", h, clock)
        q("nvmlDeviceGetMaxClockInfo", h, clock)
    if q("nvmlDeviceGetCurrentClocksEventReasons", h) is None:
        q("nvmlDeviceGetCurrentClocksThrottleReasons", h)
    for kind in (0, 1):
        for counter in (0, 1):
            q("nvmlDeviceGetTotalEccErrors", h, kind, counter)
        q("nvmlDeviceGetRetiredPages", h, kind)
    for link in range(36):
        if q("nvmlDeviceGetNvLinkState", h, link) is None:
            break
        for counter in range(4):
            q("nvmlDeviceGetNvLinkErrorCounter", h, link, counter)
for _ in range(5):
    sample()
w0, c0 = time.perf_counter(), time.process_time()
for _ in range(N):
    sample()
w, c = time.perf_counter() - w0, time.process_time() - c0
n.nvmlShutdown()
print(json.dumps({"samples": N, "wallMs": w * 1000 / N, "cpuMs": c * 1000 / N}))
`;

/** Locus: handle, every query, NVLinks and the mapping to a GpuSample, for GPU 0. */
export function locusOneGpu(nvml: Nvml, samples: number): PerSample {
  const once = () => nvmlGpuSample(readNvmlGpu(nvml, 0), { driverVersion: null, cudaVersion: null });
  for (let i = 0; i < 5; i++) once();
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < samples; i++) once();
  const wall = performance.now() - wall0;
  const cpu = process.cpuUsage(cpu0);
  return { samples, wallMs: wall / samples, cpuMs: (cpu.user + cpu.system) / 1000 / samples };
}

/** `nvidia-smi -q -x -i 0`, each run a new process: wall time and the child's CPU time. */
export async function nvidiaSmiOneGpu(samples: number): Promise<Measured> {
  try {
    await run('nvidia-smi', ['-q', '-x', '-i', '0'], { maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    return { absent: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'nvidia-smi is not on PATH' : `nvidia-smi fails: ${(error as Error).message.split('\n')[0]}` };
  }
  const child0 = childCpuMs();
  const wall0 = performance.now();
  for (let i = 0; i < samples; i++) await run('nvidia-smi', ['-q', '-x', '-i', '0'], { maxBuffer: 64 * 1024 * 1024 });
  return { samples, wallMs: (performance.now() - wall0) / samples, cpuMs: (childCpuMs() - child0) / samples };
}

/** pynvml in its own process, timed inside it (interpreter start-up excluded). */
export async function pynvmlOneGpu(python: string, samples: number): Promise<Measured> {
  try {
    const { stdout } = await run(python, ['-c', PYNVML_SCRIPT, String(samples)], { timeout: 300_000 });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Measured;
  } catch (error) {
    return { absent: (error as NodeJS.ErrnoException).code === 'ENOENT' ? `${python} is not on PATH` : `pynvml run failed: ${(error as Error).message.split('\n')[0]}` };
  }
}
