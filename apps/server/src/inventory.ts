import { createHash } from 'node:crypto';
import type { HostInventoryWire } from '@locus/protocol';
import type { TelemetryRepo } from '@locus/storage';

const gpuRows = (inventory: HostInventoryWire) => inventory.gpus.map((g) => ({ uuid: g.uuid, serial: g.serial, name: g.name, pci_bus_id: g.pciBusId }));

/** A server-made event noting that another node reports one of this node's GPUs: a copied identity or a moved board. */
async function noteDuplicates(telemetry: TelemetryRepo, nodeId: string, inventory: HostInventoryWire, at: number): Promise<void> {
  const serials = inventory.gpus.flatMap((g) => (g.serial && !/^0+$/.test(g.serial) ? [g.serial] : []));
  const clashes = await telemetry.sameGpuElsewhere(nodeId, inventory.gpus.map((g) => g.uuid), serials);
  for (const c of clashes) {
    const id = createHash('sha256').update(`duplicate|${nodeId}|${c.node_id}|${c.uuid}`).digest('hex').slice(0, 32);
    const uuid = `${id.slice(0, 8)}-${id.slice(8, 12)}-4${id.slice(13, 16)}-8${id.slice(17, 20)}-${id.slice(20, 32)}`;
    await telemetry.addEvent({ id: uuid, node_id: nodeId, kind: 'duplicate-gpu', at, body: JSON.stringify({ gpu: c.uuid, serial: c.serial, otherNode: c.node_id }) });
  }
}

/** A node's inventory as its agent reported it (at enrollment or in a batch): stored, its GPUs seen, GPUs also reported elsewhere noted. */
export async function applyInventory(telemetry: TelemetryRepo, nodeId: string, inventory: HostInventoryWire, at: number): Promise<void> {
  await telemetry.setInventory(nodeId, inventory, at);
  await telemetry.seeGpus(nodeId, gpuRows(inventory), at);
  await noteDuplicates(telemetry, nodeId, inventory, at);
}
