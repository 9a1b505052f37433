/**
 * Parser of `nvidia-smi -q -x` output (DTD v9 to v13, and files without a DOCTYPE) into the
 * agent's GpuSample model.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { GpuSample } from '../model.js';
import { FieldReader, at } from './smi-xml-fields.js';
import { ATTRIBUTE_PREFIX, readGpu } from './smi-xml-gpu.js';

/** What one `nvidia-smi -q -x` run reports. */
export interface SmiLog {
  readonly driverVersion: string | null;
  readonly cudaVersion: string | null;
  /** The driver's count of GPUs; it can exceed `gpus.length` when the output was cut. */
  readonly attachedGpus: number | null;
  readonly gpus: readonly GpuSample[];
}

/** The text is not XML, or not `nvidia-smi -q -x` output. */
export class SmiParseError extends Error {
  override readonly name = 'SmiParseError';
}

const ROOT = 'nvidia_smi_log';
/** Elements that may repeat: fast-xml-parser gives an object for one and an array for several. */
const REPEATED = new Set([`${ROOT}.gpu`, `${ROOT}.gpu.processes.process_info`]);

const parser = new XMLParser({
  // Values keep their text: the units inside them are checked before a number is taken.
  parseTagValue: false,
  ignoreAttributes: (_name, jPath) => jPath !== `${ROOT}.gpu`,
  attributeNamePrefix: ATTRIBUTE_PREFIX,
  isArray: (_name, jPath) => typeof jPath === 'string' && REPEATED.has(jPath),
});

function parseRoot(xml: string): unknown {
  // The parser accepts truncated documents without complaint, hence the validator first.
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new SmiParseError(`not XML: ${verdict.err.msg} (line ${verdict.err.line})`);
  const document: unknown = parser.parse(xml);
  const root = at(document, ROOT);
  if (root === undefined) throw new SmiParseError(`no <${ROOT}> root element: not the output of nvidia-smi -q -x`);
  return root;
}

function parseOrThrow(xml: string): unknown {
  try {
    return parseRoot(xml);
  } catch (error) {
    if (error instanceof SmiParseError) throw error;
    // fast-xml-parser refuses some element names (e.g. "constructor") by throwing.
    throw new SmiParseError(`cannot parse nvidia-smi XML: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}

/**
 * Parses the output of `nvidia-smi -q -x`. Each `<gpu>` becomes a GpuSample whose index is its
 * position in the file. Fields the output lacks are null; those it gives as "N/A", "Not
 * Supported" or deprecated are also named in the sample's `unsupported`.
 *
 * @throws SmiParseError when the text is not XML or has no `<nvidia_smi_log>` root.
 */
export function parseNvidiaSmiXml(xml: string): SmiLog {
  const root = parseOrThrow(xml);
  const gpus = at(root, 'gpu');
  const reader = new FieldReader();
  return {
    driverVersion: reader.text('driverVersion', at(root, 'driver_version')),
    cudaVersion: reader.text('cudaVersion', at(root, 'cuda_version')),
    attachedGpus: reader.count('attachedGpus', at(root, 'attached_gpus')),
    gpus: Array.isArray(gpus) ? gpus.map((gpu, index) => readGpu(gpu, index, root)) : [],
  };
}
