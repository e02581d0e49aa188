/** Which servers a page talks to: the origin of every HTTP request and WebSocket it opens. */
import type { Page } from 'playwright-core';

export interface Traffic {
  /** Origins of HTTP requests, in order (repeats kept). */
  http: string[];
  /** Origins of WebSocket connections (ws:// rewritten to http:// to compare with node URLs). */
  websockets: string[];
}

export function recordTraffic(page: Page): Traffic {
  const traffic: Traffic = { http: [], websockets: [] };
  page.on('request', (request) => traffic.http.push(new URL(request.url()).origin));
  page.on('websocket', (ws) => traffic.websockets.push(new URL(ws.url().replace(/^ws/, 'http')).origin));
  return traffic;
}
