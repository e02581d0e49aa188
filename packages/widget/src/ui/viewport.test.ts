import { describe, expect, it } from 'vitest';
import { followVisualViewport, PHONE_MEDIA, viewportRule, type ViewportWindow } from './viewport.js';

/** A visual viewport whose box the test sets, firing `resize` or `scroll` as the browser would. */
class FakeVisualViewport extends EventTarget {
  offsetLeft = 0;
  offsetTop = 0;
  width = 390;
  height = 844;
  move(box: Partial<Pick<FakeVisualViewport, 'offsetLeft' | 'offsetTop' | 'width' | 'height'>>): void {
    Object.assign(this, box);
    this.dispatchEvent(new Event('offsetTop' in box || 'offsetLeft' in box ? 'scroll' : 'resize'));
  }
}

class FakeMedia extends EventTarget {
  constructor(
    readonly media: string,
    public matches: boolean,
  ) {
    super();
  }
  set(matches: boolean): void {
    this.matches = matches;
    this.dispatchEvent(new Event('change'));
  }
}

function setup(phone = true) {
  const vv = new FakeVisualViewport();
  const media = new FakeMedia(PHONE_MEDIA, phone);
  const asked: string[] = [];
  const win: ViewportWindow = {
    visualViewport: vv,
    matchMedia: (query) => {
      asked.push(query);
      return media as unknown as MediaQueryList;
    },
  };
  const writes: string[] = [];
  const sheet = { replaceSync: (text: string) => void writes.push(text) };
  return { vv, media, win, sheet, writes, asked };
}

describe('followVisualViewport', () => {
  it('writes the visual viewport into the sheet at once and on every resize and scroll', () => {
    const { vv, win, sheet, writes, asked } = setup();
    followVisualViewport(sheet, win);
    expect(asked).toEqual(['(max-width: 480px)']);
    expect(writes).toEqual([viewportRule(vv)]);
    expect(writes[0]).toBe('.floating{--vv-left:0px;--vv-top:0px;--vv-width:390px;--vv-height:844px}');

    vv.move({ height: 503.5 });
    vv.move({ offsetTop: 120.333 });
    expect(writes.slice(1)).toEqual([
      '.floating{--vv-left:0px;--vv-top:0px;--vv-width:390px;--vv-height:503.5px}',
      '.floating{--vv-left:0px;--vv-top:120.33px;--vv-width:390px;--vv-height:503.5px}',
    ]);
  });

  it('writes only numbers', () => {
    const vv = new FakeVisualViewport();
    vv.height = Number.NaN;
    vv.width = Number.POSITIVE_INFINITY;
    expect(viewportRule(vv)).toBe('.floating{--vv-left:0px;--vv-top:0px;--vv-width:0px;--vv-height:0px}');
  });

  it('stops when stopped: the sheet is emptied and no event writes to it again', () => {
    const { vv, media, win, sheet, writes } = setup();
    const stop = followVisualViewport(sheet, win);
    stop();
    expect(writes.at(-1)).toBe('');
    const count = writes.length;
    vv.move({ height: 400 });
    vv.move({ offsetTop: 10 });
    media.set(false);
    media.set(true);
    expect(writes).toHaveLength(count);
  });

  it('listens to the visual viewport only while the layout is phone-sized', () => {
    const { vv, media, win, sheet, writes } = setup(false);
    const stop = followVisualViewport(sheet, win);
    vv.move({ height: 400 });
    expect(writes).toEqual([]);

    media.set(true);
    expect(writes).toEqual([viewportRule(vv)]);
    media.set(false);
    expect(writes.at(-1)).toBe('');
    vv.move({ height: 500 });
    expect(writes).toHaveLength(2);

    media.set(true);
    expect(writes.at(-1)).toContain('--vv-height:500px');
    stop();
    expect(writes.at(-1)).toBe('');
  });

  it('does nothing where there is no visual viewport', () => {
    const { win, sheet, writes } = setup();
    const stop = followVisualViewport(sheet, { ...win, visualViewport: null });
    stop();
    expect(writes).toEqual([]);
  });
});
