export { buildQuery, parseQuery, phpUrlEncode, listify, type QueryObject, type QueryValue } from './php-query.ts';
export * from './packs.ts';
export * from './risk.ts';
export * from './scopes.ts';
export * from './method-catalog.ts';
