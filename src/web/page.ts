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
</style></head>
<body><div id="app">Loading…</div><script src="/cockpit/app.js"></script></body></html>`;
