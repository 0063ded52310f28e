/**
 * HTML pages of the viewer and of standalone reports. Every string that came from a data file
 * (session descriptions, area and layer names, paths) goes through escapeHtml; chart specs are
 * embedded as JSON in a non-executable script element with '<' escaped, so no data can close it.
 */

export function escapeHtml(s: unknown): string {
  return String(s ?? '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Control characters (C0, DEL, C1) and the line and paragraph separators U+2028/2029 as visible
 * \\uXXXX escapes; newline and tab kept where `keepLineBreaks` (text for a terminal). The one escape
 * the CLI's messages and the viewer's charts share.
 */
export function visibleControls(text: string, keepLineBreaks: boolean): string {
  // eslint-disable-next-line no-control-regex
  const controls = keepLineBreaks ? /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029]/g : /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
  return text.replace(controls, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Strings from data as charts show them: every control character and separator escaped. Vega-Lite
 * compiles names into expressions (sort orders, labels) that vega's own parser reads, and it takes
 * U+2028 for a line break inside a string ("Unexpected token").
 */
export function chartText(text: string): string {
  return visibleControls(text, false);
}

/** JSON safe inside <script type="application/json">: no '<', '>', '&' or line separators survive raw. */
export function jsonForScript(value: unknown, text: (s: string) => string = (s) => s): string {
  return JSON.stringify(value, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : typeof v === 'string' ? text(v) : v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

export interface Chart {
  id: string;
  spec: Record<string, unknown>;
}

export interface PageAssets {
  /**
   * 'linked': <script src> to the server's /assets; 'inline': the scripts' text (self-contained
   * reports); 'app': the browser app's result, which brings its own scripts and download.
   */
  mode: 'linked' | 'inline' | 'app';
  /** For inline mode: the JavaScript and CSS texts. */
  scripts?: string[];
  css?: string;
}

export const ASSET_SCRIPTS = ['vega.js', 'vega-lite.js', 'vega-embed.js', 'viewer.js'];

/** A script's text made safe to inline: nothing in it may close the <script> element. */
function inlineScript(js: string): string {
  return js.replace(/<\/(script)/gi, '<\\/$1').replace(/<!--/g, '<\\!--');
}

export function page(title: string, body: string, charts: Chart[], assets: PageAssets): string {
  const head =
    assets.mode === 'linked'
      ? `<link rel="stylesheet" href="/assets/viewer.css">\n${ASSET_SCRIPTS.map((s) => `<script src="/assets/${s}"></script>`).join('\n')}`
      : `<style>${(assets.css ?? '').replace(/<\/style/gi, '<\\/style')}</style>\n${(assets.scripts ?? []).map((s) => `<script>${inlineScript(s)}</script>`).join('\n')}`;
  const nav =
    assets.mode === 'linked'
      ? '<header><span class="brand">neurorep</span><a href="/">runs</a><a href="/compare">compare</a><a href="/summary">summary</a></header>'
      : '<header><span class="brand">neurorep report</span></header>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${head}
</head>
<body>
${nav}
<main>
${body}
</main>
<script type="application/json" id="neurorep-charts">${jsonForScript(charts, chartText)}</script>
</body>
</html>
`;
}

/** A div for a chart. */
export function chartDiv(id: string): string {
  return `<div class="chart" id="${escapeHtml(id)}"></div>`;
}

/** A number for tables: 4 significant digits, '-' when missing. */
export function num(x: unknown): string {
  return typeof x === 'number' && Number.isFinite(x) ? String(Number(x.toPrecision(4))) : '-';
}
