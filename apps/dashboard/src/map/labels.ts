export interface LabelPoint {
  readonly label: string;
  /** Where the point is drawn, in screen units. */
  readonly x: number;
  readonly y: number;
}

/**
 * Greedy label placement: each point's label (to its right, about `charWidth` per character)
 * is kept unless it overlaps one already kept. The points themselves are always drawn.
 */
export function placeLabels<T extends LabelPoint>(points: readonly T[], charWidth = 7, lineHeight = 14): (T & { readonly labelled: boolean })[] {
  const kept: { x0: number; x1: number; y0: number; y1: number }[] = [];
  return points.map((p) => {
    const box = { x0: p.x + 4, x1: p.x + 8 + p.label.length * charWidth, y0: p.y - lineHeight / 2, y1: p.y + lineHeight / 2 };
    const clash = kept.some((k) => box.x0 < k.x1 && k.x0 < box.x1 && box.y0 < k.y1 && k.y0 < box.y1);
    if (!clash) kept.push(box);
    return { ...p, labelled: !clash };
  });
}
