import { readFileSync } from 'node:fs';
import { cpus, hostname, networkInterfaces, release, totalmem, type as osType } from 'node:os';

export interface HostInventory {
  readonly hostname: string;
  /** systemd's /etc/machine-id, stable across reboots; null where absent. */
  readonly machineId: string | null;
  readonly os: string;
  readonly kernel: string;
  readonly cpu: { readonly model: string; readonly cores: number };
  readonly memoryBytes: number;
  readonly nics: readonly { readonly name: string; readonly mac: string; readonly addresses: readonly string[] }[];
}

const readTrimmed = (path: string): string | null => {
  try {
    return readFileSync(path, 'utf8').trim() || null;
  } catch {
    return null;
  }
};

function osName(): string {
  const release = readTrimmed('/etc/os-release');
  const pretty = release && /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(release)?.[1];
  return pretty || osType();
}

/**
 * What the host is, read-only, from the OS. `hostname` stands in for the OS's where that names
 * something else: in a Kubernetes pod, the pod, where the node's name is wanted.
 */
export function hostInventory(o: { readonly hostname?: string | undefined } = {}): HostInventory {
  const cpuList = cpus();
  const nics = Object.entries(networkInterfaces()).flatMap(([name, addrs]) => {
    const external = (addrs ?? []).filter((a) => !a.internal);
    return external.length === 0 ? [] : [{ name, mac: external[0]!.mac, addresses: external.map((a) => a.cidr ?? a.address) }];
  });
  return {
    hostname: o.hostname || hostname(),
    machineId: readTrimmed('/etc/machine-id'),
    os: osName(),
    kernel: release(),
    cpu: { model: cpuList[0]?.model.trim() ?? 'unknown', cores: cpuList.length },
    memoryBytes: totalmem(),
    nics,
  };
}
