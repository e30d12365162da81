/**
 * What the editor benchmark does in the browser, timed inside the page with performance.now()
 * (milliseconds since the navigation started): how long until the canvas has drawn its blocks,
 * until a click on a block opens its form, how steadily the canvas pans, and how long a keystroke
 * in a param field takes to reach the screen.
 *
 * The in-page code is text, not functions, because tsx would wrap named functions in a helper
 * that does not exist in the page.
 */
import type { BrowserContext, Page } from "playwright-core";

/** Installed before the app's scripts: watches the canvas and the side panel once per frame. */
const WATCH = `(() => {
  const b = (window.__bench = { count: 0, unknown: 0, firstNode: null, lastChange: null, target: null, panel: null, downs: [], stopWatching: false });
  document.addEventListener("pointerdown", (e) => b.downs.push(e.timeStamp), true);
  const tick = () => {
    if (b.stopWatching) return;
    const now = performance.now();
    let visible = 0, unknown = 0;
    for (const node of document.querySelectorAll(".react-flow__node")) {
      if (node.style.visibility === "hidden") continue;
      visible++;
      // Drawn before the connector catalog arrived: no name, no params summary yet.
      if (node.textContent.includes("Unknown type")) unknown++;
    }
    if (visible !== b.count || unknown !== b.unknown) {
      b.count = visible;
      b.unknown = unknown;
      b.lastChange = now;
      if (visible > 0 && b.firstNode === null) b.firstNode = now;
    }
    if (b.target && b.panel === null) {
      const panel = document.querySelector('aside[aria-label="Block settings"]');
      if (panel && panel.querySelector('header [title="' + b.target + '"]') && panel.querySelector("[data-param] input, [data-param] textarea")) b.panel = now;
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})()`;

/** Picks the drawn block of `prefix` nearest the canvas centre as the target and returns where to click it. */
const pickTarget = (prefix: string) => `(() => {
  const b = window.__bench;
  const pane = document.querySelector('[data-testid="editor-canvas"]');
  if (!pane) return null;
  const box = pane.getBoundingClientRect();
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  let best = null;
  for (const node of document.querySelectorAll('.react-flow__node[data-id^="${prefix}"]')) {
    if (node.style.visibility === "hidden") continue;
    const r = node.getBoundingClientRect();
    const x = r.x + r.width / 2, y = r.y + Math.min(r.height / 2, 12);
    if (x < box.x + 20 || x > box.right - 20 || y < box.y + 20 || y > box.bottom - 60) continue;
    const d = (x - cx) ** 2 + (y - cy) ** 2;
    if (!best || d < best.d) best = { id: node.dataset.id, x, y, d };
  }
  if (!best) return null;
  b.target = best.id;
  return best;
})()`;

interface Watch {
  count: number;
  unknown: number;
  firstNode: number | null;
  lastChange: number | null;
  target: string | null;
  panel: number | null;
  downs: number[];
}

const sleep = (ms: number) => new Promise((res) => setTimeout(res, ms));
const watch = (page: Page) => page.evaluate("window.__bench") as Promise<Watch>;

/**
 * A new page with the watcher installed, at `url` (not waiting for load: the watcher does the
 * timing). `prepare` runs before the navigation: routes and request listeners added to a page
 * while it loads can miss its requests.
 */
export async function openPage(context: BrowserContext, url: string, prepare?: (page: Page) => Promise<void>): Promise<Page> {
  const page = await context.newPage();
  await page.addInitScript({ content: WATCH });
  await prepare?.(page);
  await page.goto(url, { waitUntil: "commit" });
  return page;
}

/**
 * Waits until the drawn blocks (how many, and whether they are drawn with their connector, which
 * needs the catalog) have not changed for `quietMs`; returns when they last changed.
 */
export async function waitForDrawn(page: Page, quietMs = 1_000, timeoutMs = 30_000): Promise<{ firstNode: number; drawn: number; count: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const w = await watch(page);
    const now = (await page.evaluate("performance.now()")) as number;
    if (w.count > 0 && w.unknown === 0 && w.lastChange !== null && now - w.lastChange >= quietMs) return { firstNode: w.firstNode!, drawn: w.lastChange, count: w.count };
    await sleep(50);
  }
  await page.screenshot({ path: ".data/bench-editor/not-drawn.png" }).catch(() => undefined);
  throw new Error(`the canvas drew no blocks (or never settled) within ${timeoutMs / 1000} s: ${JSON.stringify(await watch(page).catch(() => null))} at ${page.url()}`);
}

/**
 * Clicks a drawn block whose id starts with `prefix` as soon as one is drawn, again every 2 s
 * until the side panel shows that block's form with its param fields (a click before hydration, or
 * on a block that fitView then moved, does nothing). Returns when the form appeared and how long after the click.
 */
export async function clickUntilPanel(page: Page, prefix: string, timeoutMs = 30_000): Promise<{ target: string; panel: number; clickToPanel: number }> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const at = (await page.evaluate(pickTarget(prefix))) as { id: string; x: number; y: number } | null;
    if (at) {
      await page.mouse.click(at.x, at.y);
      // Wait up to 2 s before clicking again: opening the panel pans the canvas to keep the block in
      // view, and a second click would then land on another block.
      for (let i = 0; i < 100; i++) {
        const w = await watch(page);
        if (w.panel !== null) {
          const down = w.downs.filter((t) => t <= w.panel!).at(-1)!;
          return { target: w.target!, panel: w.panel, clickToPanel: w.panel - down };
        }
        await sleep(20);
      }
    } else {
      await sleep(20);
    }
  }
  throw new Error(`clicking a ${prefix}… block did not open its form within ${timeoutMs / 1000} s`);
}

/** The canvas's zoom now. */
export const zoomNow = (page: Page) => page.evaluate(`new DOMMatrixReadOnly(getComputedStyle(document.querySelector(".react-flow__viewport")).transform).a`) as Promise<number>;

/** Zooms the canvas in with the mouse wheel over an empty spot until its zoom is at least `zoom`; returns the zoom reached. */
export async function zoomTo(page: Page, zoom: number): Promise<number> {
  const spot = await emptySpot(page);
  await page.mouse.move(spot.x, spot.y);
  for (let i = 0; i < 40 && (await zoomNow(page)) < zoom; i++) {
    await page.mouse.wheel(0, -120);
    await sleep(30);
  }
  await sleep(300);
  return zoomNow(page);
}

/** The spot of the canvas's empty background (no block, edge or control) nearest its centre. */
async function emptySpot(page: Page): Promise<{ x: number; y: number }> {
  const spot = (await page.evaluate(`(() => {
    const pane = document.querySelector(".react-flow__pane").getBoundingClientRect();
    const cx = pane.x + pane.width / 2, cy = pane.y + pane.height / 2;
    let best = null;
    for (let x = pane.x + 40; x < pane.right - 40; x += 8)
      for (let y = pane.y + 40; y < pane.bottom - 120; y += 8) {
        const el = document.elementFromPoint(x, y);
        if (!el || !el.classList.contains("react-flow__pane")) continue;
        const d = (x - cx) ** 2 + (y - cy) ** 2;
        if (!best || d < best.d) best = { x, y, d };
      }
    return best;
  })()`)) as { x: number; y: number } | null;
  if (!spot) throw new Error("found no empty spot on the canvas");
  return spot;
}

/** Drags the empty canvas for about `ms` in `steps` moves and returns the frame intervals seen meanwhile (stops the watcher). */
export async function panFrames(page: Page, { steps = 60, ms = 2_000, dx = -700, dy = -120 } = {}): Promise<number[]> {
  await page.evaluate("window.__bench.stopWatching = true");
  const start = await emptySpot(page);
  await page.evaluate(`(() => {
    const frames = (window.__frames = []);
    window.__framesDone = false;
    const tick = (t) => { frames.push(t); if (!window.__framesDone) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  })()`);
  await page.mouse.move(start.x, start.y);
  const from = (await page.evaluate("performance.now()")) as number;
  await page.mouse.down();
  const began = Date.now();
  for (let i = 1; i <= steps; i++) {
    await page.mouse.move(start.x + (dx * i) / steps, start.y + (dy * i) / steps);
    const due = began + (ms * i) / steps;
    if (due > Date.now()) await sleep(due - Date.now());
  }
  await page.mouse.up();
  const until = (await page.evaluate("performance.now()")) as number;
  const frames = ((await page.evaluate("(window.__framesDone = true, window.__frames)")) as number[]).filter((t) => t >= from && t <= until);
  return frames.slice(1).map((t, i) => t - frames[i]);
}

export interface Keystroke {
  /** From the keydown's timestamp to the input event (the field's value holds the character). */
  toInput: number;
  /** From the keydown's timestamp to the next animation frame after the input event (React has rendered). */
  toFrame: number;
  /** The field showed exactly what had been typed so far at that frame. */
  ok: boolean;
}

/** Types `text` into the focused field, `delayMs` between keys, and returns each keystroke's latency. */
export async function typeTimed(page: Page, text: string, delayMs: number): Promise<Keystroke[]> {
  await page.evaluate(`(() => {
    const el = document.activeElement;
    const text = ${JSON.stringify(text)};
    const t = (window.__typing = { initial: el.value, downs: [], inputs: 0, samples: [] });
    el.addEventListener("keydown", (e) => t.downs.push(e.timeStamp), true);
    el.addEventListener("input", () => {
      const n = t.inputs++;
      const atInput = performance.now();
      const expected = t.initial + text.slice(0, n + 1);
      requestAnimationFrame(() => {
        t.samples[n] = { toInput: atInput - t.downs[n], toFrame: performance.now() - t.downs[n], ok: el.value === expected };
      });
    });
  })()`);
  await page.keyboard.type(text, { delay: delayMs });
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const samples = (await page.evaluate("window.__typing.samples")) as (Keystroke | null)[];
    if (samples.length >= text.length && samples.every(Boolean)) return samples as Keystroke[];
    await sleep(50);
  }
  throw new Error(`only some of the ${text.length} keystrokes reached the field`);
}
