/** The do-not-call list (global and per task): managed through the API, checked by the dialer before each originate. */
export { addDnc, checkDncTask, listDnc, removeDnc, type DncAdded } from './manage.js';
export { importDncCsv, type DncImported } from './import-csv.js';
export { isOnDnc, type DncRow } from './store.js';
