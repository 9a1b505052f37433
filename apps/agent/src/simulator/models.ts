/** Data-centre GPU models the simulator can play, with the figures nvidia-smi reports for them. */
export interface GpuModelSpec {
  readonly key: string;
  readonly name: string;
  readonly framebufferMiB: number;
  readonly powerLimitW: number;
  readonly idlePowerW: number;
  readonly smClockMaxMHz: number;
  readonly memoryClockMHz: number;
  readonly vbiosPrefix: string;
  readonly boardPartNumber: string;
  readonly nvlinks: number;
  readonly pcieGen: number;
}

export const GPU_MODELS: readonly GpuModelSpec[] = [
  { key: 'H100', name: 'NVIDIA H100 80GB HBM3', framebufferMiB: 81559, powerLimitW: 700, idlePowerW: 72, smClockMaxMHz: 1980, memoryClockMHz: 2619, vbiosPrefix: '96.00.99', boardPartNumber: '692-2G520-0200-000', nvlinks: 18, pcieGen: 5 },
  { key: 'H200', name: 'NVIDIA H200', framebufferMiB: 143771, powerLimitW: 700, idlePowerW: 76, smClockMaxMHz: 1980, memoryClockMHz: 3201, vbiosPrefix: '96.00.A5', boardPartNumber: '692-2G520-0280-000', nvlinks: 18, pcieGen: 5 },
  { key: 'B200', name: 'NVIDIA B200', framebufferMiB: 183359, powerLimitW: 1000, idlePowerW: 120, smClockMaxMHz: 1965, memoryClockMHz: 3996, vbiosPrefix: '97.00.5D', boardPartNumber: '699-2G525-0200-000', nvlinks: 18, pcieGen: 5 },
];

/** How many GPUs of which model: "8xH100", "4xH100,4xH200". */
export interface FleetSpec {
  readonly gpus: readonly GpuModelSpec[];
}

export function parseFleetSpec(text: string): FleetSpec | { error: string } {
  const gpus: GpuModelSpec[] = [];
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^(\d+)\s*x\s*([A-Za-z0-9]+)$/.exec(part);
    if (!m) return { error: `"${part}" is not COUNTxMODEL (e.g. 8xH100)` };
    const model = GPU_MODELS.find((g) => g.key.toLowerCase() === m[2]!.toLowerCase());
    if (!model) return { error: `unknown GPU model "${m[2]}"; the simulator knows ${GPU_MODELS.map((g) => g.key).join(', ')}` };
    const count = Number(m[1]);
    if (count < 1 || count > 16) return { error: `"${part}": between 1 and 16 GPUs of a kind` };
    for (let i = 0; i < count; i++) gpus.push(model);
  }
  if (gpus.length === 0) return { error: 'empty fleet spec; e.g. 8xH100' };
  if (gpus.length > 16) return { error: `${gpus.length} GPUs is more than one host holds (16)` };
  return { gpus };
}
