/**
 * The editors' few styles (the shell's stylesheet, src/web/page.ts, belongs to the page): rendered by each editor
 * view as one <style> element, so they come and go with the views that use them.
 */
const FORM_CSS = `
.form{background:#fff;padding:16px;display:grid;gap:12px;max-width:900px}
.form h2{margin:0 0 4px}
.form fieldset{border:1px solid #e3e6eb;padding:8px 12px;display:grid;gap:8px}
.form legend{font-weight:600;font-size:12px;color:#5b6475}
.field{display:grid;gap:2px}
.field>span{font-size:12px;color:#5b6475}
.field input:not([type=checkbox]):not([type=radio]),.field select,.field textarea{font:inherit;padding:4px 6px;border:1px solid #c6ccd6;border-radius:3px}
.field.bad input:not([type=checkbox]),.field.bad select,.field.bad textarea{border-color:#c92a2a}
.field-err,.field>.field-err{color:#c92a2a;font-size:12px}
.hint{font-size:12px;color:#5b6475}
.warn{color:#a15c00}
.row{display:flex;gap:12px;flex-wrap:wrap;align-items:start}
.form+.form{margin-top:12px}
.row>.field{flex:1;min-width:140px}
.notice{padding:8px 12px;border-radius:3px;background:#e7f5ff}
.notice.bad{background:#fff0f0;color:#c92a2a}
.notice ul{margin:4px 0 0;padding-left:18px}
table.compact td,table.compact th{padding:2px 6px}
table.compact input,table.compact select{width:100%;box-sizing:border-box;font:inherit}
.question{border:1px solid #c6ccd6;padding:8px 12px;display:grid;gap:8px;background:#fafbfc}
.form summary{cursor:pointer;font-size:12px;color:#5b6475}
.actions{display:flex;gap:8px;align-items:center}
`;

export function FormStyle() {
  return <style>{FORM_CSS}</style>;
}
