/** Every database operation the dialer needs: pick, claim, record, retry, reconcile. */
export * from './claim.js';
export * from './queries.js';
export * from './record.js';
