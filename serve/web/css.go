package web

// baseCSS styles the pages (after the report's own sheet when a report is
// embedded). It keeps every page within a 375 px wide screen: grids
// collapse to one column, tables wrap long words, and wide tables scroll
// inside their own box rather than the page.
const baseCSS = `
:root { --fg:#1d2330; --muted:#5d6778; --line:#d9dee7; --bg:#f4f6f9; --card:#fff;
  --good:#1f8a4c; --warn:#c98a06; --bad:#c62f2f; --info:#2f6fb3; }
* { box-sizing:border-box; }
html { -webkit-text-size-adjust:100%; }
body { margin:0; padding:0; background:var(--bg); color:var(--fg);
  font:14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; overflow-wrap:anywhere; }
header.top { background:#1d2330; color:#fff; padding:10px 24px; display:flex; flex-wrap:wrap; gap:6px 20px; align-items:center; }
header.top a { color:#fff; text-decoration:none; }
header.top .brand { font-weight:700; font-size:16px; margin-right:auto; }
header.top nav a { padding:2px 0; border-bottom:2px solid transparent; margin-left:14px; }
header.top nav a.cur { border-color:#fff; }
main { padding:20px 24px; max-width:1200px; margin:0 auto; }
h1 { font-size:22px; margin:0 0 8px; } h2 { font-size:18px; margin:0 0 8px; }
.muted { color:var(--muted); }
.card { background:var(--card); border:1px solid var(--line); border-radius:8px; padding:16px 20px; margin:0 0 20px; }
form.inline { display:flex; flex-wrap:wrap; gap:8px; align-items:center; }
input[type=text], textarea { font:inherit; padding:8px 10px; border:1px solid #b8c0cc; border-radius:6px; max-width:100%; }
input[type=text] { flex:1 1 220px; min-width:0; }
textarea { width:100%; min-height:180px; font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px; }
button, .button { font:inherit; padding:8px 14px; border:0; border-radius:6px; background:var(--info); color:#fff; cursor:pointer; text-decoration:none; display:inline-block; }
button.secondary, .button.secondary { background:#6b7483; }
button.small { padding:3px 8px; font-size:12px; }
.wide { overflow-x:auto; max-width:100%; }
table { border-collapse:collapse; width:100%; margin:4px 0 8px; font-size:13px; }
th, td { text-align:left; padding:5px 8px; border-bottom:1px solid var(--line); vertical-align:top; overflow-wrap:anywhere; }
th { background:#eef1f5; font-weight:600; }
.mono { font-family:ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size:12px; }
.pill { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px; font-weight:600; color:#fff; white-space:nowrap; background:#7d8594; }
.g-a { background:var(--good); } .g-b { background:var(--warn); } .g-f { background:var(--bad); } .g-none { background:#7d8594; }
.sev-critical { background:#8e1b1b; } .sev-high { background:var(--bad); } .sev-medium { background:var(--warn); }
.sev-low { background:var(--info); } .sev-info { background:#7d8594; }
.st-fail { background:var(--bad); } .st-pass { background:var(--good); }
.bad { color:var(--bad); font-weight:600; } .ok { color:var(--good); font-weight:600; }
.err { background:#fdecec; border-left:4px solid var(--bad); padding:10px 14px; border-radius:4px; margin:0 0 16px; }
.endpoints td:first-child { white-space:nowrap; }
.endpoints progress { display:block; width:100%; max-width:12em; }
.chart { width:100%; height:auto; max-width:720px; display:block; }
.chart .grid { stroke:#e3e7ee; } .chart text { font-size:11px; fill:#5d6778; }
.chart .g { stroke:var(--info); fill:none; stroke-width:2; } .chart .d { stroke:var(--warn); fill:none; stroke-width:2; }
.chart circle.g { fill:var(--info); } .chart circle.d { fill:var(--warn); }
ul.rules { margin:0; padding-left:16px; }
@media (min-width: 601px) { #hosts th, #hosts td:nth-child(-n+3), #hosts td:nth-child(5), #hosts td:nth-child(6) { white-space:nowrap; overflow-wrap:normal; } }
.actions { display:flex; flex-wrap:wrap; gap:8px; margin:10px 0 0; }
footer.page { color:var(--muted); font-size:12px; padding:0 24px 20px; max-width:1200px; margin:0 auto; }
@media (max-width: 600px) {
  header.top, main { padding-left:10px; padding-right:10px; }
  .card { padding:12px; }
  .head { flex-direction:column; gap:12px; }
  .kv { grid-template-columns:1fr; } .kv dd { margin-bottom:4px; }
  .bars { grid-template-columns:110px 1fr 32px; }
  .cert { width:100%; } .arrow { transform:rotate(90deg); width:100%; text-align:center; }
  table.facts { min-width:0; }
  td, th { padding:4px 5px; }
  .pill, .nowrap { white-space:normal; }
  main table { max-width:100%; }
  .hide-narrow { display:none; }
}
@media print {
  body { background:#fff; }
  header.top, .actions, form, .noprint { display:none; }
  main { padding:0; max-width:none; }
  .card { border:none; padding:0; }
  .pill, .chart, th { -webkit-print-color-adjust:exact; print-color-adjust:exact; }
  a { color:inherit; text-decoration:none; }
}
`
