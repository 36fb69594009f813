export { buildQuery, parseQuery, phpUrlEncode, listify, type QueryObject, type QueryValue } from './php-query.ts';
