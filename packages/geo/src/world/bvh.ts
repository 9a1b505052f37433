/**
 * A bounding-cap hierarchy over chunks of boundary edges. Every node holds a cap that
 * contains all the edges below it (caps under π/2 are convex, so a cap holding the
 * vertices of a great-circle edge holds the edge).
 */
export interface Bvh {
  /** Node centres, 3 numbers a node; nodes are in depth-first order, left child = node + 1. */
  readonly center: Float64Array;
  readonly radius: Float64Array;
  readonly cosRadius: Float64Array;
  readonly sinRadius: Float64Array;
  /** Index of the right child, or -1 for a leaf. */
  readonly right: Int32Array;
  /** Range of chunks [lo, hi) below the node. */
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Chunks in tree order: the arc they belong to and their first and last vertex. */
  readonly chunkArc: Int32Array;
  readonly chunkFirst: Int32Array;
  readonly chunkLast: Int32Array;
}

export interface Chunk {
  readonly arc: number;
  readonly first: number;
  readonly last: number;
}

const LEAF_CHUNKS = 2;
const BOUND_SLACK = 1e-12;

/**
 * A cap holding the rows of `data` listed in `rows`: each row is a unit vector x y z, followed
 * by the radius of a cap around it when `stride` is 4. Returns [x, y, z, radius].
 */
function enclose(data: Float64Array, stride: 3 | 4, rows: ArrayLike<number>): [number, number, number, number] {
  let x = 0;
  let y = 0;
  let z = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]! * stride;
    x += data[i]!;
    y += data[i + 1]!;
    z += data[i + 2]!;
  }
  const n = Math.hypot(x, y, z) || 1;
  x /= n;
  y /= n;
  z /= n;
  let r = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]! * stride;
    const px = data[i]!;
    const py = data[i + 1]!;
    const pz = data[i + 2]!;
    const angle = Math.atan2(Math.hypot(y * pz - z * py, z * px - x * pz, x * py - y * px), x * px + y * py + z * pz);
    r = Math.max(r, angle + (stride === 4 ? data[i + 3]! : 0));
  }
  return [x, y, z, Math.min(Math.PI, r + BOUND_SLACK)];
}

const range = (first: number, last: number): number[] => Array.from({ length: last - first + 1 }, (_, k) => first + k);

export function buildBvh(xyz: Float64Array, chunks: readonly Chunk[]): Bvh {
  const n = chunks.length;
  const cc = new Float64Array(4 * n);
  chunks.forEach((c, i) => cc.set(enclose(xyz, 3, range(c.first, c.last)), 4 * i));
  const order = Int32Array.from({ length: n }, (_, i) => i);
  const maxNodes = Math.max(1, 2 * n);
  const center = new Float64Array(3 * maxNodes);
  const radius = new Float64Array(maxNodes);
  const right = new Int32Array(maxNodes);
  const lo = new Int32Array(maxNodes);
  const hi = new Int32Array(maxNodes);
  let count = 0;

  const build = (from: number, to: number): number => {
    const node = count++;
    const rows = order.subarray(from, to);
    const [x, y, z, r] = enclose(cc, 4, rows);
    center.set([x, y, z], 3 * node);
    radius[node] = r;
    lo[node] = from;
    hi[node] = to;
    right[node] = -1;
    if (to - from > LEAF_CHUNKS) {
      const spread = [0, 1, 2].map((d) => {
        let least = Infinity;
        let most = -Infinity;
        for (const i of rows) {
          least = Math.min(least, cc[4 * i + d]!);
          most = Math.max(most, cc[4 * i + d]!);
        }
        return most - least;
      });
      const axis = spread.indexOf(Math.max(...spread));
      rows.sort((a, b) => cc[4 * a + axis]! - cc[4 * b + axis]!);
      const mid = (from + to) >> 1;
      build(from, mid);
      right[node] = build(mid, to);
    }
    return node;
  };
  if (n > 0) build(0, n);

  return {
    center: center.slice(0, 3 * count),
    radius: radius.slice(0, count),
    cosRadius: radius.slice(0, count).map(Math.cos),
    sinRadius: radius.slice(0, count).map(Math.sin),
    right: right.slice(0, count),
    lo: lo.slice(0, count),
    hi: hi.slice(0, count),
    chunkArc: Int32Array.from(order, (i) => chunks[i]!.arc),
    chunkFirst: Int32Array.from(order, (i) => chunks[i]!.first),
    chunkLast: Int32Array.from(order, (i) => chunks[i]!.last),
  };
}
