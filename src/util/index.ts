/** The public face of src/util/: what other folders may import from it. */
export { type Clock, ManualClock, systemClock } from './clock.ts';
export { enableWal } from './enable-wal.ts';
export { canonicalJson } from './canonical-json.ts';
