/** The demo page's stylesheet, served as `/demo.css` (the page's CSP allows no inline styles). */
export const DEMO_CSS = `:root {
  color-scheme: light dark;
  --text: #1d1d1f;
  --muted: #5f6368;
  --bg: #fafafa;
  --card: #ffffff;
  --border: #e0e0e0;
  --accent: #2962ff;
}
@media (prefers-color-scheme: dark) {
  :root {
    --text: #ececec;
    --muted: #a0a4a8;
    --bg: #121212;
    --card: #1e1e1e;
    --border: #333333;
    --accent: #82a8ff;
  }
}
* {
  box-sizing: border-box;
}
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 16px/1.6 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
}
main {
  max-width: 44rem;
  margin: 0 auto;
  padding: 3rem 1.25rem 8rem;
}
h1 {
  margin: 0 0 0.25rem;
  font-size: 2rem;
}
h2 {
  margin: 2rem 0 0.5rem;
  font-size: 1.15rem;
}
.lead {
  margin-top: 0;
  color: var(--muted);
  font-size: 1.1rem;
}
section {
  background: var(--card);
  border: 1px solid var(--border);
  border-radius: 12px;
  padding: 0.25rem 1.25rem 1rem;
  margin-top: 1.25rem;
}
pre {
  overflow-x: auto;
  padding: 0.75rem 1rem;
  border: 1px solid var(--border);
  border-radius: 8px;
  background: var(--bg);
  font-size: 0.85rem;
}
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace;
}
a {
  color: var(--accent);
}
.notice {
  border-color: #e0a800;
}
`;
