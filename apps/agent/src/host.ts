import { readFileSync } from 'node:fs';
import { cpus, hostname, networkInterfaces, release, totalmem, type as osType, type NetworkInterfaceInfo } from 'node:os';

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

/** An address that only reaches its own link: IPv6 fe80::/10, IPv4 169.254.0.0/16. */
const linkLocal = (a: NetworkInterfaceInfo): boolean => (a.family === 'IPv6' ? /^fe[89ab][0-9a-f]:/i.test(a.address) : a.address.startsWith('169.254.'));

/**
 * The host's network interfaces for its inventory: those with an address beyond the loopback
 * and their own link. A container's virtual interface (a veth, with only an fe80:: address) is
 * left out: it comes and goes with the container and says nothing about the host.
 */
export function inventoryNics(interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): HostInventory['nics'] {
  return Object.entries(interfaces).flatMap(([name, addrs]) => {
    const external = (addrs ?? []).filter((a) => !a.internal);
    if (!external.some((a) => !linkLocal(a))) return [];
    return [{ name, mac: external[0]!.mac, addresses: external.map((a) => a.cidr ?? a.address) }];
  });
}

/** How long the daemon reuses the host inventory it read: a renamed host, a new address or a hot-plugged core shows within this. */
export const HOST_REFRESH_MS = 10 * 60_000;

/**
 * hostInventory for a pass every interval, read again only after HOST_REFRESH_MS of pass time
 * (or when the clock stepped back): what it reads changes with the machine's configuration, not
 * from pass to pass, and reading it costs more than the rest of a pass's host work (os.cpus()
 * alone reads a sysfs file per core, 224 on a dual-socket H100 host; a host running containers
 * lists an interface per container). The GPUs, in the same inventory, are read every pass.
 */
export function hostInventoryReader(o: { readonly hostname?: string | undefined; readonly read?: () => HostInventory } = {}): (at: Date) => HostInventory {
  const read = o.read ?? (() => hostInventory({ hostname: o.hostname }));
  let last: { value: HostInventory; readAt: number } | undefined;
  return (at) => {
    const t = at.getTime();
    if (last === undefined || !(t >= last.readAt && t - last.readAt < HOST_REFRESH_MS)) last = { value: read(), readAt: t };
    return last.value;
  };
}

/**
 * What the host is, read-only, from the OS. `hostname` stands in for the OS's where that names
 * something else: in a Kubernetes pod, the pod, where the node's name is wanted.
 */
export function hostInventory(o: { readonly hostname?: string | undefined } = {}): HostInventory {
  const cpuList = cpus();
  const nics = inventoryNics(networkInterfaces());
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
