/** Inline SVG icons (drawn paths, no external requests). */
import { svg } from 'lit-html';

const icon = (d: string) =>
  svg`<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d=${d}></path></svg>`;

export const chatIcon = icon(
  'M12 3C6.5 3 2 6.8 2 11.5c0 2.4 1.2 4.6 3.1 6.1L4.3 21l3.9-2c1.2.4 2.5.6 3.8.6 5.5 0 10-3.8 10-8.5S17.5 3 12 3z',
);
export const closeIcon = icon(
  'M6.4 5 5 6.4 10.6 12 5 17.6 6.4 19l5.6-5.6 5.6 5.6 1.4-1.4-5.6-5.6L19 6.4 17.6 5 12 10.6z',
);
export const backIcon = icon('M15.4 5.4 14 4l-8 8 8 8 1.4-1.4L8.8 12z');
export const sendIcon = icon('M3 20.5 21.5 12 3 3.5 3 10l13 2-13 2z');
export const logoutIcon = icon(
  'M10 17l1.4-1.4-2.6-2.6H20v-2H8.8l2.6-2.6L10 7l-5 5zM4 5h6V3H4a2 2 0 0 0-2 2v14c0 1.1.9 2 2 2h6v-2H4z',
);
