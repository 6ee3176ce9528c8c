/** The HTML report's style sheet: light, print-friendly, no external fonts or images. */
export const REPORT_CSS = `
:root {
  --text: #1f2933;
  --muted: #52606d;
  --faint: #7b8794;
  --line: #d9e2ec;
  --soft: #f5f7fa;
  --accent: #0b5cad;
  --good: #18794e;
  --good-soft: #e8f5ee;
  --bad: #b42318;
  --bad-soft: #fdecea;
  --warn: #8a5a00;
  --warn-soft: #fff6df;
  --warn-line: #f0c36d;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  background: #eef2f6;
  color: var(--text);
  font: 14px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif;
}
.page {
  max-width: 1160px;
  margin: 24px auto;
  padding: 32px 40px 24px;
  background: #fff;
  border: 1px solid var(--line);
  border-radius: 8px;
}
.report-kicker {
  margin: 0 0 4px;
  color: var(--accent);
  font-size: 12px;
  font-weight: 600;
  letter-spacing: 0.06em;
  text-transform: uppercase;
}
h1 { margin: 0 0 8px; font-size: 26px; line-height: 1.25; }
h2 { margin: 0 0 4px; font-size: 18px; line-height: 1.3; }
.report-description { margin: 0 0 20px; color: var(--muted); max-width: 75ch; }
.meta {
  display: grid;
  grid-template-columns: max-content 1fr;
  gap: 6px 20px;
  margin: 0 0 24px;
  padding: 14px 18px;
  background: var(--soft);
  border: 1px solid var(--line);
  border-radius: 6px;
}
.meta dt { color: var(--muted); font-weight: 600; }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.meta .sub { color: var(--muted); }
.meta ul { margin: 0; padding: 0; list-style: none; }
.warnings {
  margin: 0 0 24px;
  padding: 14px 18px;
  background: var(--warn-soft);
  border: 1px solid var(--warn-line);
  border-left: 5px solid var(--warn);
  border-radius: 6px;
}
.warnings h2 { color: var(--warn); font-size: 15px; }
.warnings ul { margin: 4px 0 0; padding-left: 20px; }
.section { padding: 20px 0 8px; border-top: 1px solid var(--line); }
.section-description { margin: 0 0 12px; color: var(--muted); }
.section-text p, .section-text ul { margin: 0 0 10px; max-width: 80ch; }
code {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 12.5px;
}
code { padding: 1px 4px; background: var(--soft); border: 1px solid var(--line); border-radius: 3px; }
.query-ref { margin: 8px 0 0; color: var(--faint); font-size: 12px; }
.query-ref code { background: none; border: 0; padding: 0; font-size: 12px; color: var(--muted); }
.tiles {
  display: grid;
  grid-template-columns: repeat(auto-fill, minmax(190px, 1fr));
  gap: 12px;
  margin: 8px 0 0;
}
.tiles-4 { grid-template-columns: repeat(4, minmax(0, 1fr)); }
.tiles-5 { grid-template-columns: repeat(5, minmax(0, 1fr)); }
.tiles-6 { grid-template-columns: repeat(6, minmax(0, 1fr)); }
@media (max-width: 900px) {
  .tiles-4, .tiles-5, .tiles-6 { grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); }
}
.tile {
  padding: 12px 14px;
  border: 1px solid var(--line);
  border-top: 4px solid var(--faint);
  border-radius: 6px;
  background: #fff;
}
.tile-label { margin: 0; color: var(--muted); font-size: 12.5px; font-weight: 600; overflow-wrap: anywhere; }
.tile-value {
  margin: 2px 0 0;
  font-size: 28px;
  font-weight: 650;
  line-height: 1.2;
  font-variant-numeric: tabular-nums;
}
.tile-value.tile-text { font-size: 18px; font-weight: 600; overflow-wrap: anywhere; }
.tile-unit { margin-left: 4px; color: var(--muted); font-size: 14px; font-weight: 500; }
.tile.tone-good { border-top-color: var(--good); background: var(--good-soft); }
.tile.tone-good .tile-value { color: var(--good); }
.tile.tone-bad { border-top-color: var(--bad); background: var(--bad-soft); }
.tile.tone-bad .tile-value { color: var(--bad); }
.table-wrap { overflow-x: auto; border: 1px solid var(--line); border-radius: 6px; }
table { width: 100%; border-collapse: collapse; font-size: 13px; }
th, td { padding: 6px 10px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
th { background: var(--soft); color: var(--muted); font-weight: 600; vertical-align: bottom; text-wrap: balance; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tbody tr:last-child td { border-bottom: 0; }
td { overflow-wrap: break-word; }
th.min-16 { min-width: 16em; }
th.min-12 { min-width: 12em; }
th.min-9 { min-width: 9em; }
th.min-7 { min-width: 7em; }
th.min-6 { min-width: 6em; }
/* The widths above are chosen for the full page width: narrower windows get narrower minimums. */
@media (max-width: 1180px) {
  th.min-16 { min-width: 12em; }
  th.min-12 { min-width: 9em; }
  th.min-9 { min-width: 7em; }
  th.min-7, th.min-6 { min-width: 5em; }
}
@media (max-width: 960px) {
  .page { padding: 24px 20px 16px; }
  th.min-16 { min-width: 9em; }
  th.min-12 { min-width: 7em; }
  th.min-9, th.min-7, th.min-6 { min-width: 5em; }
}
.break-anywhere { overflow-wrap: anywhere; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.datetime { white-space: nowrap; font-variant-numeric: tabular-nums; }
.flag { white-space: nowrap; }
.part { white-space: nowrap; }
td.json {
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
  font-size: 12px;
}
.row-note { margin: 6px 0 0; color: var(--muted); font-size: 12.5px; }
.empty {
  margin: 8px 0 0;
  padding: 14px 16px;
  color: var(--muted);
  background: var(--soft);
  border: 1px dashed var(--line);
  border-radius: 6px;
}
.chart-error { color: var(--bad); }
figure { margin: 8px 0 0; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { margin-top: 6px; color: var(--muted); font-size: 12.5px; }
footer {
  margin-top: 24px;
  padding-top: 12px;
  border-top: 1px solid var(--line);
  color: var(--faint);
  font-size: 12px;
}
footer ul { margin: 4px 0 0; padding-left: 18px; }
footer code { font-size: 11.5px; }
@media print {
  @page { margin: 14mm 12mm; }
  body { background: #fff; font-size: 11pt; }
  .page { max-width: none; margin: 0; padding: 0; border: 0; border-radius: 0; }
  .tile, .warnings, figure, .meta { break-inside: avoid; }
  h2 { break-after: avoid; }
  tr { break-inside: avoid; }
  thead { display: table-header-group; }
  .table-wrap { overflow: visible; border: 0; }
  table { font-size: 8.5pt; }
  th, td { padding: 4px 6px; }
  th.min-16 { min-width: 10em; }
  th.min-12 { min-width: 8em; }
  th.min-9 { min-width: 6em; }
  th.min-7, th.min-6 { min-width: 5em; }
  .datetime { white-space: normal; }
  .tile-value { font-size: 22px; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
