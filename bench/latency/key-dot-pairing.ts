/**
 * Pairs what was sent (a key pressed on the keypad, or a bare event the bridge wrote) with the ● the page drew for
 * it, on one clock (epoch ms on the same machine). A dot that never came is an error, not a slow sample.
 */

export type DotField = 'PAN' | 'EXPIRY';

/** One key (or bare event) that should make `field` show `digits` ●, sent at `at` (epoch ms). */
export interface Stroke {
  field: DotField;
  digits: number;
  at: number;
}

/** One ● count the page set (`mutatedAt`, epoch ms) and the end of the frame that painted it (`drawnAt`). */
export interface DotDraw {
  field: DotField;
  digits: number;
  mutatedAt: number;
  drawnAt: number;
}

/** One stroke's way to its ●: to the page's DOM change, and on to the painted frame (ms). */
export interface StrokeLatency {
  /** When the stroke was sent (epoch ms). */
  sentAt: number;
  /** Stroke to painted ●: the number the bench reports. */
  toDrawMs: number;
  /** Stroke to the DOM change: the wire, the bridge, the browser's network and the page's event handler. */
  toPageMs: number;
}

export class UnpairedStrokeError extends Error {}

/**
 * Each stroke with the first draw of its field showing at least its count (a keypad that merges DIGIT reports
 * draws several ● at once: each of those keys waited for that one draw). Strokes and draws are of one round: the
 * page's list is taken between rounds, so counts from an earlier entry cannot pair.
 */
export function pairStrokes(strokes: readonly Stroke[], draws: readonly DotDraw[]): StrokeLatency[] {
  return strokes.map((stroke) => {
    const draw = draws.find((d) => d.field === stroke.field && d.digits >= stroke.digits);
    if (draw === undefined) throw new UnpairedStrokeError(`no ● drawn for ${stroke.field} count ${stroke.digits}`);
    return { sentAt: stroke.at, toDrawMs: draw.drawnAt - stroke.at, toPageMs: draw.mutatedAt - stroke.at };
  });
}
