import type { Component } from './component.js';
import { clocks } from './clocks.js';
import { driver } from './driver.js';
import { ecc } from './ecc.js';
import { gpuCount } from './gpu-count.js';
import { nvlink } from './nvlink.js';
import { nvswitch } from './nvswitch.js';
import { pcie } from './pcie.js';
import { persistence } from './persistence.js';
import { power } from './power.js';
import { remappedRows } from './remapped-rows.js';
import { retiredPages } from './retired-pages.js';
import { thermal } from './thermal.js';
import { xid } from './xid.js';

/** Every health component, in report order. */
export const ALL_COMPONENTS: readonly Component[] = [gpuCount, xid, ecc, remappedRows, retiredPages, thermal, power, clocks, pcie, nvlink, nvswitch, persistence, driver];
