/** The `--db` option every command that keeps state takes: one flag text, one place. */
export const STATE_DATABASE_FLAG = '--db <path-or-url>';
export const STATE_DATABASE_HELP = 'state database: a SQLite file or a postgres:// URL (default: B24_DATABASE_URL, else B24_DB, else ./.b24chain/state.db)';
