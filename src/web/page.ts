/** The page shell: styles inline (small), the script from /cockpit/app.js. */
export const COCKPIT_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>autodialer — cockpit</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:0;background:#f5f6f8;color:#1d2330}
header{background:#1d2330;color:#fff;padding:10px 16px;display:flex;gap:16px;align-items:center}
header nav a{color:#cfd6e4;margin-right:12px;text-decoration:none}header nav a.active{color:#fff;font-weight:600}
header .live{margin-left:auto;font-size:12px;opacity:.8}
main{padding:16px;max-width:1200px}
table{border-collapse:collapse;width:100%;background:#fff}
th,td{padding:6px 8px;border-bottom:1px solid #e3e6eb;text-align:left;vertical-align:top}
th{font-weight:600;font-size:12px;color:#5b6475}
.bar{height:8px;background:#e3e6eb;border-radius:4px;overflow:hidden;display:flex;min-width:160px}
.bar span{display:block;height:100%}.done{background:#2f9e44}.call{background:#1c7ed6}
.codes{font-size:12px;color:#5b6475}
button{margin-right:4px}
form.login{background:#fff;padding:24px;max-width:320px;margin:48px auto;display:grid;gap:8px}
.err{color:#c92a2a}
.panel{background:#fff;padding:12px 16px;margin-bottom:12px}.panel:empty{display:none}.panel .head{display:flex;gap:12px;align-items:center}.panel h2,.panel h3{margin:0}
.head .actions{margin-left:auto}.bar.wide{margin:8px 0 4px}.crumbs{margin:0 0 8px;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:9px;font-size:12px;background:#e3e6eb;margin-right:4px}
.badge.free,.state-dialing,.phase-agent{background:#d3f9d8}.badge.busy,.phase-ringing{background:#ffe3e3}.phase-answered,.phase-survey{background:#d0ebff}.state-paused{background:#fff3bf}
.result{margin-right:10px}.toolbar{display:flex;gap:10px;align-items:center;margin-bottom:8px;flex-wrap:wrap}
tr.live{background:#e7f5ff}tr.attempts-row>td{background:#f5f6f8;padding:8px}tr.picked{outline:2px solid #1c7ed6}button.link{border:0;background:none;color:#1c66c4;cursor:pointer;padding:0;font:inherit}
ul.answers{margin:0;padding-left:16px}.charts{display:flex;flex-wrap:wrap;gap:16px}figure.chart{margin:0;width:340px}
.ct-label{color:#5b6475;font-size:11px;display:flex;justify-content:center}.ct-label.ct-vertical{justify-content:flex-end;align-items:flex-end}
.ct-grid{stroke:#e3e6eb;stroke-dasharray:2px}.ct-bar{stroke:#1c7ed6;stroke-width:28px}.ct-value{font-size:11px;fill:#1d2330}
</style></head>
<body><div id="app">Loading…</div><script src="/cockpit/app.js"></script></body></html>`;
