import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { HOST_REFRESH_MS, hostInventory, hostInventoryReader, inventoryNics, type HostInventory } from './host.js';

describe('host inventory', () => {
  it('reads this machine, under the name it is given', () => {
    const host = hostInventory({ hostname: 'gpu-node-7' });
    expect(host.hostname).toBe('gpu-node-7');
    expect(host.cpu.cores).toBeGreaterThan(0);
    expect(host.memoryBytes).toBeGreaterThan(0);
  });

  it('is read again each pass only after HOST_REFRESH_MS of pass time, or when the clock stepped back', () => {
    let reads = 0;
    const read = hostInventoryReader({ read: () => ({ ...hostInventory({ hostname: 'n' }), cpu: { model: 'EPYC', cores: 64 + reads++ } }) as HostInventory });
    const t0 = Date.parse('2026-11-29T12:00:00Z');
    const cores = (ms: number) => read(new Date(t0 + ms)).cpu.cores;
    expect([cores(0), cores(10_000), cores(HOST_REFRESH_MS - 1)]).toEqual([64, 64, 64]);
    expect(cores(HOST_REFRESH_MS)).toBe(65);
    expect(cores(HOST_REFRESH_MS + 10_000)).toBe(65);
    expect(cores(5_000)).toBe(66);
    expect(reads).toBe(3);
  });

  it('lists the interfaces with an address beyond their own link, leaving out loopback and containers\' veths', () => {
    const v4 = (address: string, mac: string, internal = false): NetworkInterfaceInfo => ({ address, netmask: '255.255.255.0', family: 'IPv4', mac, internal, cidr: `${address}/24` });
    const v6 = (address: string, mac: string): NetworkInterfaceInfo => ({ address, netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac, internal: false, cidr: `${address}/64`, scopeid: 0 });
    const nics = inventoryNics({
      lo: [v4('127.0.0.1', '00:00:00:00:00:00', true)],
      eno1: [v4('10.0.4.17', 'a0:36:9f:00:00:01'), v6('fe80::a236:9fff:fe00:1', 'a0:36:9f:00:00:01')],
      ib0: [v6('2001:db8::17', '80:00:02:08:fe:80')],
      docker0: [v4('172.17.0.1', '02:42:ac:11:00:01')],
      veth3f2a1b: [v6('fe80::4c1e:2aff:fe3b:9c01', '4e:1e:2a:3b:9c:01')],
      eno2: [v4('169.254.3.9', 'a0:36:9f:00:00:02')],
    });
    expect(nics).toEqual([
      { name: 'eno1', mac: 'a0:36:9f:00:00:01', addresses: ['10.0.4.17/24', 'fe80::a236:9fff:fe00:1/64'] },
      { name: 'ib0', mac: '80:00:02:08:fe:80', addresses: ['2001:db8::17/64'] },
      { name: 'docker0', mac: '02:42:ac:11:00:01', addresses: ['172.17.0.1/24'] },
    ]);
  });
});
