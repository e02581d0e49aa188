/**
 * What a reaction may be: one emoji as people see it (a single grapheme made of emoji code points, so
 * skin tones, flags, keycaps and ZWJ families count as one), or a short name like `thumbsup`.
 */

const NAME = /^[a-z0-9_+-]{1,32}$/;
// Code points that may appear inside an emoji sequence.
const EMOJI_PARTS =
  /^(?:\p{Extended_Pictographic}|\p{Emoji_Component}|\p{Emoji_Presentation}|\p{Emoji}|\u200D|\uFE0F|\u20E3|[\u{E0020}-\u{E007F}])+$/u;
// At least one code point that is an emoji by itself (not only digits, '#', '*' or modifiers).
const HAS_PICTOGRAPH = /\p{Extended_Pictographic}|\p{Regional_Indicator}|\u20E3/u;

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/**
 * Whether `value` is an acceptable reaction (see module comment). At most 32 UTF-16 units in any case.
 *
 * @example
 * ```ts
 * isReaction('👍🏽'); // true: one emoji with its skin tone
 * isReaction('thumbsup'); // true
 * isReaction('👍👍'); // false: two emoji
 * ```
 */
export function isReaction(value: string): boolean {
  if (value.length === 0 || value.length > 32) return false;
  if (NAME.test(value)) return true;
  if (!EMOJI_PARTS.test(value) || !HAS_PICTOGRAPH.test(value)) return false;
  let graphemes = 0;
  for (const _ of segmenter.segment(value)) {
    graphemes += 1;
    if (graphemes > 1) return false;
  }
  return graphemes === 1;
}
