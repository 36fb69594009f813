/**
 * Every code b24chain itself gives an error, a refused item or an answer (the style of Redocly
 * respect-core's `checks.ts`): what it means, what to do, and the exit code of a command that stops on it.
 * Codes the portal sends (`QUERY_LIMIT_EXCEEDED`, `ACCESS_DENIED`...) are in `src/protocol/error-codes.ts`.
 *
 * `exitCode` is what `exitCodeOf(error)` returns for it: 2 for bad input, configuration and refusals
 * (nothing was sent), 1 for failures. `null`: the code never ends a command by itself; it marks an item
 * or an event row (the run's or worker's outcome decides the exit code) or is an HTTP answer of the
 * event receiver. The README's error-code table is generated from this file (`npm run docs:error-codes`).
 * Adding a code: add it here, then run that script; test/errors/error-codes.test.ts fails on a code
 * used in `src/` that is missing here, and on an entry no file uses.
 */

export type ErrorArea = 'chain file' | 'run' | 'plan' | 'call' | 'connection' | 'client' | 'state' | 'events' | 'agents (MCP)' | 'CLI';

export interface ErrorCatalogueEntry {
  area: ErrorArea;
  exitCode: 1 | 2 | null;
  /** What happened, in a few words. */
  meaning: string;
  /** What to do about it. */
  action: string;
}

const refusal = (area: ErrorArea, meaning: string, action: string): ErrorCatalogueEntry => ({ area, exitCode: 2, meaning, action });
const failure = (area: ErrorArea, meaning: string, action: string): ErrorCatalogueEntry => ({ area, exitCode: 1, meaning, action });
const marker = (area: ErrorArea, meaning: string, action: string): ErrorCatalogueEntry => ({ area, exitCode: null, meaning, action });

export const ERROR_CATALOGUE = {
  // The chain file (`chain validate`, and every command that loads a chain): exit 2, nothing sent.
  CHAIN_FILE_UNREADABLE: refusal('chain file', 'The chain file cannot be read.', 'Check the path.'),
  CHAIN_INVALID: refusal(
    'chain file',
    'The chain file has problems (each listed with its own code).',
    'Fix the problems listed; `chain validate FILE` shows them all.',
  ),
  YAML_SYNTAX: refusal('chain file', 'The file is not valid YAML.', 'Fix the syntax at the line shown.'),
  YAML_DUPLICATE_KEY: refusal('chain file', 'A key appears twice in one mapping.', 'Keep one of the two entries.'),
  YAML_TAB_INDENT: refusal('chain file', 'A tab is used for indentation.', 'Indent with spaces.'),
  YAML_MULTI_DOCUMENT: refusal('chain file', 'The file holds more than one YAML document.', 'Put one chain per file.'),
  YAML_UNSUPPORTED_VALUE: refusal('chain file', 'A YAML tag or value that is not plain JSON.', 'Remove the tag; chain files hold plain JSON values.'),
  YAML_TOO_LARGE: refusal('chain file', 'The document is too large or too deeply nested (aliases expand).', 'Simplify the file.'),
  SCHEMA_REQUIRED: refusal('chain file', 'A required field is missing.', 'Add the field named.'),
  SCHEMA_UNKNOWN_FIELD: refusal(
    'chain file',
    'A field the format does not know, or one that does not belong in this kind of step.',
    'Remove or rename it (the message suggests the closest field).',
  ),
  SCHEMA_TYPE: refusal('chain file', 'A value of the wrong type.', 'Give a value of the type named.'),
  SCHEMA_VALUE: refusal('chain file', 'A value outside the allowed ones.', 'Use one of the values listed.'),
  SCHEMA_PATTERN: refusal('chain file', 'A value that does not match the expected form (ids, method names).', 'Write it in the form shown.'),
  STEP_KIND: refusal('chain file', 'A step has no kind, or several.', 'Give each step exactly one kind (call, list, for_each, batch, assert...).'),
  STEP_ID_DUPLICATE: refusal('chain file', 'Two steps share an id.', 'Rename one; ids are unique across the chain, sub-steps included.'),
  STEP_ID_RESERVED: refusal('chain file', 'A step id or item name is reserved (it starts expressions) or hides the item name.', 'Rename it.'),
  STEP_REF_UNKNOWN: refusal('chain file', 'An expression reads a step that does not exist.', 'Fix the step id.'),
  STEP_REF_LATER: refusal('chain file', 'An expression reads a step below it.', 'Move the step, or read something above it.'),
  STEP_FIELD_UNKNOWN: refusal('chain file', 'An expression reads a field the step does not have.', 'Read one of the fields the message lists.'),
  INPUT_UNKNOWN: refusal(
    'chain file',
    'An input that the chain does not declare (in an expression or `--input`).',
    'Declare it under `inputs:`, or fix the name.',
  ),
  INPUT_DEFAULT_TYPE: refusal('chain file', "An input's default does not match its type.", 'Fix the default or the type.'),
  INPUT_REQUIRED: refusal('chain file', 'A required input was not given.', 'Pass it with `--input name=value`.'),
  INPUT_MALFORMED: refusal('chain file', '`--input` is not `name=value`.', 'Write `--input name=value`.'),
  INPUT_DUPLICATE: refusal('chain file', 'An input is given twice.', 'Pass each input once.'),
  INPUT_TYPE: refusal('chain file', 'An `--input` value does not match the declared type.', 'Pass a value of the declared type.'),
  SECRET_INPUT_REQUIRED: refusal(
    'chain file',
    'A run with a `secret: true` input is resumed (or a fleet job taken) and its value, which was not stored, is not in the environment.',
    'Set `B24_INPUT_<NAME>` to the value the run started with; nothing was sent.',
  ),
  SECRET_INPUT_MISMATCH: refusal(
    'chain file',
    '`B24_INPUT_<NAME>` is not the secret value the run started with (its digest differs).',
    'Set it to the first value, or start a new run.',
  ),
  EXPRESSION_SYNTAX: refusal('chain file', 'A `${{ }}` expression is not valid JSONata.', 'Fix the syntax (https://docs.jsonata.org).'),
  EXPRESSION_UNCLOSED: refusal('chain file', 'A `${{` without its `}}`.', 'Close the expression.'),
  EXPRESSION_EMPTY: refusal('chain file', 'An empty `${{ }}`.', 'Write an expression or remove the braces.'),
  EXPRESSION_REQUIRED: refusal(
    'chain file',
    'A field that must be exactly one expression holds something else (e.g. `if:` with text around it).',
    'Write it as one `${{ ... }}`.',
  ),
  EXPRESSION_NAME_UNKNOWN: refusal('chain file', 'An expression reads a name that is not defined there.', 'Use an input, an earlier step or the item.'),
  EXPRESSION_FUNCTION_UNKNOWN: refusal('chain file', 'An expression calls a function JSONata does not have.', 'Use a JSONata built-in.'),
  EXPRESSION_FUNCTION_FORBIDDEN: refusal(
    'chain file',
    'An expression calls a function chain expressions may not use ($eval...).',
    'Write the expression directly.',
  ),
  EXPRESSION_EVALUATION: failure('run', 'An expression failed when evaluated on real data.', 'Fix the expression or the data it reads.'),
  PACK_UNKNOWN: refusal('chain file', 'A pack b24chain does not know (in `packs:` or `--packs`).', '`chain packs` lists them.'),
  PACK_LIST_EMPTY: refusal('call', '`--packs` names no pack.', 'Name at least one pack, or `none`.'),
  PACK_NONE_COMBINED: refusal('call', '`none` is combined with other packs.', 'Use `none` alone.'),
  METHOD_UNKNOWN: refusal('chain file', 'A method in no pack b24chain knows.', 'Check the name; `chain methods` lists the catalogue.'),
  METHOD_NOT_IN_PACKS: refusal('chain file', "A method outside the chain's packs.", 'Add the covering pack to `packs:`, or use another method.'),
  METHOD_VERB_UNKNOWN: refusal(
    'chain file',
    'A method not in the catalogue whose verb is unknown, so its risk cannot be told.',
    'Check the name; `chain methods` lists the catalogue.',
  ),
  LIST_METHOD_NOT_READ: refusal('chain file', 'A list step uses a method that writes.', 'Call writes from a call step or inside a for_each.'),
  FOR_EACH_SOURCE: refusal(
    'chain file',
    'A for_each loops over something that is not an earlier step or an input.',
    "Loop over an earlier step's rows or an input.",
  ),
  WRITE_WITHOUT_KEY: refusal('chain file', 'A for_each writes but has no `key`.', 'Add a stable item key so a resumed run never writes an item twice.'),
  KEY_CONSTANT: refusal('chain file', 'The key of a for_each does not depend on the item.', 'Build the key from the item.'),
  BATCH_NESTED: refusal('chain file', 'A batch inside a batch.', 'List the inner commands in the outer batch.'),

  // Running a chain.
  CONFIRMATION_REQUIRED: refusal(
    'run',
    'A write or destructive method without its confirmation flag; nothing was sent.',
    'Add `--confirm-write` (and `--confirm-destructive` for deletes) once the plan is right.',
  ),
  INSUFFICIENT_SCOPE: refusal(
    'run',
    'The connection lacks a scope the chain needs; checked before any write.',
    'Grant the scope to the webhook or application.',
  ),
  CHAIN_CHANGED: refusal('run', 'The chain file changed since the run started.', 'Restore the file, or start a new run.'),
  PLAN_REQUIRED: refusal('run', '`B24_REQUIRE_PLAN=1` and the chain or call writes.', 'Make a plan first, then run it with `--plan ID` / `--execute-plan ID`.'),
  PORTAL_MISMATCH: refusal('run', 'The run belongs to another portal.', 'Resume with the credentials of the portal the run started on.'),
  RUN_UNFINISHED: refusal('run', 'An unfinished run of this chain exists on this portal.', 'Resume it (the message prints the command).'),
  RUN_IN_PROGRESS: refusal('run', 'The run is owned by a live process.', 'Wait for it, or stop that process.'),
  RUN_NOT_FOUND: refusal('run', 'No such run in the state database.', '`chain status` lists the runs; `--db` points at another database.'),
  IDEMPOTENCY_KEY_REUSED: failure(
    'client',
    'REST 3.0 answered 422: this Idempotency-Key was already used with a different body.',
    'Use a new key for a different request; re-send the same body to replay the first answer.',
  ),
  V3_INVALID_FILTER: refusal(
    'client',
    'A REST 3.0 filter is not an array of [field, operator, value] conditions (or OR groups).',
    'Write the filter as the v3 docs show, e.g. [["id", ">", 10]].',
  ),
  V3_NESTED_BATCH: refusal('client', 'A REST 3.0 batch cannot contain another batch.', 'Send the inner commands in the outer batch.'),
  V3_UNEXPECTED_BATCH_ANSWER: failure(
    'client',
    'The portal answered a REST 3.0 batch with an unexpected shape.',
    'Check the portal is a real Bitrix24 REST 3.0 endpoint; retry later.',
  ),
  V3_UNEXPECTED_LIST_ANSWER: failure(
    'client',
    'The portal answered a REST 3.0 list with an unexpected shape.',
    'Check the method is a v3 list method; retry later.',
  ),
  RUN_OPTION_INVALID: refusal(
    'run',
    'A run option is out of its bounds (e.g. concurrency outside 1 to 16).',
    'Pass a value within the bounds the message names.',
  ),
  RESOLVE_MALFORMED: refusal('run', '`--resolve` is not `ITEM=sent` or `ITEM=not-sent`.', 'Use the item key from `chain status --json`.'),
  RESOLVE_UNKNOWN_ITEM: refusal('run', '`--resolve` names an item that has no unknown outcome.', 'Use a key listed under unknownOutcomes.'),
  BATCH_REFERENCE: refusal('run', 'A reference to an earlier batch command that is not a plain path.', 'Write it as `${{ name.result.FIELD }}`.'),
  BATCH_COMMAND_FAILED: refusal('run', 'A command of a batch step failed under `on_error: stop`.', 'Fix the cause, or set `on_error: skip`.'),
  ASSERTION_FAILED: failure('run', 'An assert step stopped the chain on purpose.', 'Check the data it asserts on.'),
  OUTCOME_UNKNOWN: failure(
    'run',
    'A write was sent and never answered, and the portal could not tell whether it ran.',
    '`chain status` lists it; decide with `chain resume RUN --resolve ITEM=sent|not-sent`.',
  ),
  NOT_EXECUTED: marker(
    'run',
    'A command of a batch was not executed because an earlier one failed (`halt`).',
    'The item is retried on resume, or fix the earlier failure.',
  ),
  UNRESOLVABLE: marker('run', 'An item has sub-steps that can never be sent (their references never resolve).', 'Fix the references between the sub-steps.'),
  FAILED: marker('run', 'An item failed without a more precise code.', '`chain status RUN --json` shows the item.'),
  PLAN_STOPPED: failure('plan', 'Planning stopped where a run would stop (a read failed under `on_error: stop`).', 'Fix the cause shown, then plan again.'),

  // Fleet runs (`chain run --portals`, `chain fleet worker`, `chain status --fleet`).
  FLEET_REDIS_MISSING: refusal('run', 'A fleet command without B24_REDIS_URL: the fleet queue lives in Redis.', 'Set B24_REDIS_URL=redis://HOST:6379.'),
  FLEET_REDIS_UNAVAILABLE: failure('run', 'Redis (the fleet queue) did not answer.', 'Check B24_REDIS_URL and that the server runs.'),
  FLEET_OPTION_CONFLICT: refusal('run', '`--portals` with an option a fleet run does not take (`--portal`, `--emulator`, `--plan`).', 'Leave that option out.'),
  PORTAL_NAME_INVALID: refusal(
    'run',
    'A portal name in `--portals` that is empty, repeated or not of letters, digits, `_`, `-`, `.`.',
    'Name profiles as `prod-1`.',
  ),
  PORTALS_FILE_INVALID: refusal(
    'connection',
    'The portals file cannot be read or has no `portals` mapping of profiles.',
    'Give a YAML or JSON file {portals: {NAME: {...}}}.',
  ),
  FLEET_NOT_FOUND: refusal('run', 'No fleet of that id in the queue (or none yet).', '`chain status --fleet` shows the latest fleet.'),
  FLEET_JOB_INVALID: marker(
    'run',
    'A fleet job the worker cannot run (its chain or data is not valid here).',
    '`chain status --fleet` shows why; enqueue it again.',
  ),

  // Plans and approvals.
  PLAN_NOT_FOUND: refusal('plan', 'No such plan (for this portal).', 'Check the id and `--db`.'),
  PLAN_EXPIRED: refusal('plan', 'The plan expired.', 'Make a new plan.'),
  PLAN_CONSUMED: refusal('plan', 'The plan was already executed; a plan runs once.', 'Make a new plan.'),
  PLAN_KIND_MISMATCH: refusal('plan', 'A call plan given to a chain run, or the other way round.', 'Use a plan of the right kind.'),
  PLAN_PORTAL_MISMATCH: refusal('plan', 'The plan was made for another portal.', 'Make a plan with this connection.'),
  PLAN_CHAIN_CHANGED: refusal('plan', 'The chain file changed since the plan was made.', 'Make a new plan.'),
  PLAN_INPUTS_MISMATCH: refusal('plan', 'The inputs differ from the planned ones.', 'Pass the planned inputs, or make a new plan.'),
  PLAN_PACKS_MISMATCH: refusal('plan', 'The packs differ from the planned ones.', 'Pass the planned `--packs`, or make a new plan.'),
  PLAN_ALLOWLIST_MISMATCH: refusal('plan', 'The method allowlist differs from the planned one.', 'Pass the planned allowlist, or make a new plan.'),
  PLAN_TTL_INVALID: refusal('plan', 'A plan lifetime that is not a positive duration.', 'Give a positive duration.'),
  PLAN_ID_EMPTY: refusal('plan', '`--execute-plan` without an id.', 'Pass the id printed by `--plan-only`.'),
  PLAN_ALREADY_DECIDED: refusal('plan', 'The plan was already approved or rejected.', 'Nothing to decide; make a new plan to change it.'),
  PLAN_NOT_APPROVED: refusal(
    'agents (MCP)',
    'The plan waits for a person to approve it.',
    'The person runs `chain approve PLAN` in a terminal; then call again.',
  ),
  PLAN_REJECTED: refusal('agents (MCP)', 'A person rejected the plan.', 'Do not retry it; ask what to change, then make a new plan.'),
  PLAN_CHANGED_SINCE_APPROVAL: refusal('agents (MCP)', 'The plan differs from the one the person approved.', 'Make a new plan and have it approved.'),
  PLAN_STALE: refusal('agents (MCP)', 'A record the plan targets changed since the plan was made.', 'Make a new plan.'),
  PLAN_TOO_LARGE: refusal(
    'agents (MCP)',
    'The plan would change more records than can be checked for staleness; nothing was planned.',
    'Narrow the chain inputs and plan it in parts.',
  ),
  TARGET_UNREADABLE: refusal('agents (MCP)', 'A record the plan targets could not be read; nothing was planned or sent.', 'Try again.'),
  APPROVAL_NEEDS_TERMINAL: refusal('plan', '`chain approve`/`reject` asks on a terminal, and stdin is not one.', 'Run it in a terminal, or pass `--yes`.'),
  APPROVAL_UNAVAILABLE: refusal(
    'agents (MCP)',
    'The MCP client did not answer the approval request; the plan stays pending.',
    'The person approves it in a terminal.',
  ),
  APPROVAL_CANCELLED: refusal(
    'agents (MCP)',
    'The person closed the approval request without deciding; the plan stays pending.',
    'Call again, or approve it in a terminal.',
  ),
  RESUME_NEEDS_APPROVED_PLAN: refusal(
    'agents (MCP)',
    'A run that writes and was not started from an approved plan.',
    'Resume it in a terminal, or plan a new run.',
  ),
  REFUSED: refusal('agents (MCP)', 'A call was refused without a more precise code.', 'Read the message; `chain audit` shows the refusal.'),
  READ_ONLY: refusal('agents (MCP)', 'The MCP server runs read-only.', 'Start it without `--read-only` to allow writes.'),
  CHAIN_NOT_FOUND: refusal('agents (MCP)', 'No chain of that name in the library.', '`chain list` shows the chains.'),
  CALL_ARGUMENTS_CONFLICT: refusal(
    'call',
    'Arguments that exclude each other (`--execute-plan` with METHOD, `--params` or `--plan-only`).',
    'Drop the extra argument.',
  ),

  // The guarded single call (`chain call`, `bitrix_call`).
  METHOD_MISSING: refusal('call', 'No method given.', 'Name one, or run a stored plan.'),
  METHOD_NAME_INVALID: refusal('call', 'Not a Bitrix24 method name.', 'Use a dotted name such as crm.lead.list.'),
  METHOD_NOT_ALLOWED: refusal(
    'call',
    'The method is outside the packs or the allowlist (405 from the event receiver: not a POST).',
    'Add the pack or allowlist entry, or use another method.',
  ),
  ALLOWLIST_INVALID: refusal(
    'call',
    'A `--method-allowlist` entry is not a method pattern.',
    'Give dotted names or patterns separated by commas, e.g. `crm.lead.get,user.*`.',
  ),
  PARAMS_EMPTY: refusal('call', '`--params` is empty.', 'Pass a JSON object, or leave `--params` out.'),
  PARAMS_INVALID_JSON: refusal('call', '`--params` is not valid JSON.', 'Fix the JSON at the position shown.'),
  PARAMS_NOT_OBJECT: refusal('call', 'Params that are not an object.', 'Pass a JSON object.'),
  BATCH_EMPTY: refusal('call', 'A batch call without commands.', 'Pass 1 to 50 commands in `cmd`.'),
  BATCH_TOO_LONG: refusal('call', 'A batch call with more than 50 commands.', 'Split it, or write a chain (it splits batches itself).'),
  BATCH_COMMAND_MALFORMED: refusal('call', 'A batch command that is not a `method?query` string.', 'Write each command as `"crm.lead.get?id=5"`.'),
  IDEMPOTENCY_KEY_EMPTY: refusal('call', 'An empty idempotency key.', 'Give a non-empty key.'),
  IDEMPOTENCY_KEY_CONFLICT: refusal('call', 'The idempotency key was used with other params.', 'Use a new key for a different request.'),
  IDEMPOTENCY_KEY_IN_FLIGHT: refusal(
    'call',
    'A request with this idempotency key is being sent by another process, or its outcome is unknown.',
    'Check `chain audit` and the portal; it is never sent twice.',
  ),
  IDEMPOTENCY_TTL_INVALID: refusal('call', 'An idempotency lifetime that is not a positive duration.', 'Give a positive lifetime.'),
  SINCE_INVALID: refusal('call', '`--since` is not a duration or a date.', 'Write e.g. `--since 2h` or an ISO date.'),
  LIMIT_INVALID: refusal('call', '`--limit` is not a positive whole number.', 'Give a count such as `--limit 100`.'),
  UNEXPECTED: marker('call', 'An unexpected error, recorded in the audit trail.', 'Report it with the audit row.'),

  // Requests to the portal (library and every command).
  INVALID_METHOD_NAME: refusal('client', 'A method name the client refuses to send.', 'Check the name.'),
  INVALID_COMMAND_NAME: refusal('client', 'A batch command name the portal cannot take.', 'Use letters, digits, `_`, `-`, `.` or `:`.'),
  BATCH_NOT_OBJECT: refusal('client', 'Batch commands that are not named commands.', 'Pass `{name: {method, params}}`.'),
  BATCH_COMMAND_INVALID: refusal(
    'client',
    'A batch command that is neither `{method, params}` nor a `method?query` string.',
    'Write each command as `{method, params}`.',
  ),
  BATCH_DUPLICATE_NAME: refusal('client', 'Two batch commands share a name.', 'Rename one.'),
  BATCH_GROUP_TOO_LARGE: refusal(
    'client',
    'Commands that reference each other need more than one batch.',
    'Break the chain of `$result[...]` references, or pass the values between batches yourself.',
  ),
  BATCH_REFERENCE_FORWARD: refusal('client', 'A batch command references a later command.', 'Reference only earlier commands.'),
  BATCH_REFERENCE_UNKNOWN: refusal('client', 'A batch command references a command that does not exist.', 'Fix the name.'),
  RETRIES_EXHAUSTED: failure('client', 'The portal kept refusing or failing.', 'Try again later.'),
  NETWORK_ERROR: failure(
    'client',
    'The portal could not be reached, or the connection broke.',
    'Check the address and the network; reads are retried, writes are not resent blindly.',
  ),
  TIMEOUT: failure('client', 'No answer in time.', 'Try again; raise the timeout for slow methods.'),
  INTERRUPTED: failure('client', 'Stopped while waiting on the limiter; nothing was sent.', 'Run again or resume.'),
  INVALID_RESPONSE: failure(
    'client',
    'The portal answered with a body that is not a Bitrix24 answer.',
    'Check the portal address (a proxy or a login page answers instead).',
  ),
  EMPTY_ERROR_CODE: failure('client', 'The portal sent an error without a code.', 'Read the description; try again later.'),
  LIST_FILTER_IGNORED: failure('client', 'The portal ignored the id filter of a keyset list.', 'Order the list by something other than ID.'),
  LIST_STALLED: failure('client', 'A page request returned no usable page.', 'Resume from the cursor; list with another order if it repeats.'),
  LIST_REUSED: failure('client', 'A list iterator was iterated twice.', 'Start a new list, passing the cursor to resume.'),

  // Connection settings and credentials.
  MISSING_SETTING: refusal('connection', 'A setting the connection needs is not set.', 'Set the variable or option named.'),
  INVALID_SETTING: refusal('connection', 'A setting has a value b24chain does not understand.', 'Use one of the values named.'),
  INVALID_URL: refusal('connection', 'An address that is not a valid URL.', 'Give a full https URL.'),
  INSECURE_URL: refusal('connection', 'A plain-HTTP address that is not loopback.', 'Use https:// (plain HTTP only for loopback addresses).'),
  UNKNOWN_PROFILE: refusal('connection', 'No portal profile of that name.', 'Check `--portal` against the credentials file.'),
  CREDENTIALS_FILE_INVALID: refusal('connection', 'The credentials file cannot be read.', 'Fix the JSON.'),
  CREDENTIALS_FILE_PERMISSIONS: refusal('connection', 'The credentials file is readable or writable by others.', '`chmod 600` it.'),
  CREDENTIALS_LOCK_TIMEOUT: refusal('connection', 'Another process held the token lock too long.', 'If no other b24chain process runs, delete the lock file.'),
  TOKENS_FILE_INVALID: refusal('connection', 'The tokens file cannot be read.', 'Fix or delete it (the tokens are then taken from the settings).'),
  TOKENS_FILE_PERMISSIONS: refusal('connection', 'The tokens file is readable or writable by others.', '`chmod 600` it.'),
  REFRESH_NOT_POSSIBLE: failure(
    'connection',
    'The access token expired and there is no refresh token or client secret to renew it.',
    'Set B24_REFRESH_TOKEN, B24_CLIENT_ID and B24_CLIENT_SECRET, or a new access token.',
  ),
  REFRESH_TOKEN_REJECTED: failure('connection', 'The OAuth server refused the refresh token.', 'Re-authorise the application.'),
  OAUTH_CLIENT_REJECTED: failure('connection', 'The OAuth server refused the client id or secret.', 'Check B24_CLIENT_ID and B24_CLIENT_SECRET.'),
  TOKEN_REFRESH_FAILED: failure('connection', 'Renewing the access token failed.', 'Try again; re-authorise if it repeats.'),
  LIMITER_STORE_UNAVAILABLE: refusal(
    'connection',
    'The shared limiter store (Redis at B24_REDIS_URL) cannot be reached or refused a command; the request was not sent.',
    'Check B24_REDIS_URL and start Redis, or unset it to use the host-local SQLite limiter.',
  ),
  USAGE_INVALID: refusal('CLI', 'Unknown command, option or missing argument.', '`chain help COMMAND` lists what it takes.'),
  OPTION_INVALID: refusal('CLI', 'An option value b24chain does not understand.', 'Give a value of the form named.'),
  PORT_IN_USE: refusal('CLI', 'The port is already in use.', 'Choose another port, or leave `--port` out.'),
  PORT_NOT_ALLOWED: refusal('CLI', 'Not allowed to listen on that port.', 'Choose a port from 1024 to 65535.'),

  // The state database.
  STATE_DB_OPEN: refusal('state', 'The state database cannot be opened.', 'Check the path and its permissions.'),
  STATE_DB_TOO_NEW: refusal('state', 'The state database was written by a newer b24chain.', 'Upgrade b24chain, or use another file.'),
  STATE_DB_OUTDATED: refusal(
    'state',
    'A read-only open of a database at an older schema version.',
    'Run any command that writes to it once (it migrates on open).',
  ),
  STATE_DB_MIGRATION: failure('state', 'Migrating the state database failed; it stays at its previous version.', 'Report it with the message; keep the file.'),
  STATE_DB_TIMEOUT: failure(
    'state',
    'PostgreSQL did not answer a statement in time (30 s); the connection was closed.',
    'Check the server and B24_DATABASE_URL, then run again: a run resumes from its checkpoint.',
  ),
  STATE_DB_CLOSED: failure('state', 'A statement was sent on a state database connection already closed (after a timeout).', 'Run the command again.'),
  STATE_DB_QUERY: failure(
    'state',
    'PostgreSQL refused a statement of the state store (its SQLSTATE is in the message).',
    'Check the server; report it if it repeats.',
  ),
  STATE_DB_UNSUPPORTED_SQL: failure(
    'state',
    'A statement uses SQLite-only SQL that has no PostgreSQL translation.',
    'Report it: the store must use SQL both engines run.',
  ),
  STATE_DB_TOKENS_INVALID: failure(
    'state',
    'The OAuth tokens stored for a portal in the PostgreSQL state database are not valid JSON.',
    'Delete that row of oauth_tokens, or re-authorise the application.',
  ),
  TOKEN_LOCK_TIMEOUT: failure(
    'connection',
    'Another process held the lock on these OAuth tokens (a refresh) for too long.',
    'Try again; if it repeats, look for a stuck b24chain process on another host.',
  ),
  LEASE_STALE_INVALID: refusal('state', 'B24_LEASE_STALE_MS is not a whole number of milliseconds of at least 1000.', 'Fix or unset it (default 30 s).'),
  LEASE_LOST: failure('state', 'Another process took over the run or queue; nothing more was written by this one.', '`chain status` shows who owns it now.'),

  // Events: binding, the worker, the receiver.
  EVENTS_MISSING: refusal('events', 'No event named.', 'Name the events to bind.'),
  HANDLER_MISSING: refusal('events', 'No handler chain.', 'Pass `--handler FILE.yml`.'),
  HANDLER_URL_MISSING: refusal('events', 'An online binding without the handler URL.', 'Pass `--offline` (for `chain worker`) or `--handler-url https://...`.'),
  HANDLER_WITHOUT_EVENTS: refusal('events', 'A handler chain that names no events.', 'List its events under `events:`.'),
  OFFLINE_EVENTS_NEED_APPLICATION: refusal(
    'events',
    'Offline events need an application (OAuth) connection, not a webhook.',
    'Install a local application and use its tokens.',
  ),
  RECEIVER_APPLICATION_MISSING: refusal(
    'events',
    'The receiver has no application to verify installs with.',
    'Set B24_CLIENT_ID (and B24_CLIENT_SECRET), or pass `--portal` of a profile that has clientId.',
  ),
  WORKER_OPTION_INVALID: refusal('events', 'A worker option out of range.', 'Use a value in the range named.'),
  WORKER_RUNNING: refusal('events', 'Another worker works this offline queue.', 'One worker per queue: let it run, or stop it (Ctrl-C or `kill -INT PID`).'),
  DEAD_LETTER_ID_INVALID: refusal('events', 'Not a dead-letter id.', '`chain worker dlq list` shows the ids.'),
  DEAD_LETTER_NOT_FOUND: refusal('events', 'No such dead letter.', '`chain worker dlq list --all` shows them all.'),
  DEAD_LETTER_SETTLED: refusal('events', 'The dead letter is already settled.', 'Nothing to do.'),
  DEAD_LETTER_UNSAFE_RETRY: refusal(
    'events',
    'Retrying the dead letter could write twice (an outcome is unknown).',
    'Check the portal for the effect: retry with `--force` if it is missing, `chain worker dlq drop ID` if it is there.',
  ),
  QUEUE_UNAVAILABLE: failure('events', 'The offline queue failed several times in a row; rows stay reserved.', 'Run the worker again when the portal answers.'),
  QUEUE_ANSWER_LOST: failure('events', 'A queue call was sent and never answered.', 'Run the worker again; reserved rows are read again.'),
  QUEUE_ANSWER_UNEXPECTED: failure(
    'events',
    'A queue answer without the expected process_id.',
    'Check that the portal supports clear=0 (feature rest_offline_extended).',
  ),
  QUEUE_TOO_LARGE: failure(
    'events',
    'More pages of reserved rows than the worker reads.',
    'Another reader may reserve without clearing: stop it, then start the worker again.',
  ),
  WORKER_PASS_FAILED: failure('events', 'A worker pass failed several times in a row.', 'Run `chain worker --once` again when the portal answers.'),
  HANDLER_ITEM_FAILED: marker('events', 'The handler failed on an event row.', '`chain worker dlq list` shows it; retry it once the cause is fixed.'),
  HANDLER_REFUSED: marker('events', 'The handler run for a row was refused.', 'See the dead letter for the cause.'),
  MALFORMED_EVENT: marker('events', 'An event row is malformed.', 'Discard the dead letter.'),
  PORTAL_NOT_VERIFIED: marker('events', 'No verified install is kept for the portal (answered 403 to its events).', 'Reinstall the application.'),
  PORTAL_UNKNOWN: marker('events', 'An event from a portal that never installed the application (404).', 'Install the application on that portal.'),
  TOKEN_MISMATCH: marker('events', 'An event whose application token does not match (401).', 'Check the application the portal posts for.'),
  BAD_EVENT: marker('events', 'A post that is not an event (400).', 'Nothing; the receiver refused it.'),
  INBOX_UNAVAILABLE: marker('events', 'The receiver could not store the event (503; the portal sends it again).', 'Check the state database.'),
  PAYLOAD_TOO_LARGE: marker('events', 'A post larger than the receiver takes (413).', 'Nothing; events are small.'),
  UNSUPPORTED_MEDIA_TYPE: marker('events', 'A post that is not form-encoded (415).', 'Nothing; the portal posts form-encoded events.'),
  INTERNAL_ERROR: marker('events', 'The receiver failed on a post (500).', 'Check the receiver log.'),
  INSTALL_NOT_VERIFIED: marker('events', 'An install whose tokens the OAuth server or portal did not confirm.', 'Reinstall the application.'),
  ENDPOINT_MISMATCH: marker('events', "An install whose client_endpoint is not the profile's.", 'Check the profile.'),
  MEMBER_MISMATCH: marker('events', 'An install from a host configured for another member_id.', 'Check the profile.'),
  UNTRUSTED_OAUTH_SERVER: marker(
    'events',
    'An install naming an OAuth server that is not trusted (no request sent to it).',
    'Nothing; the install was refused.',
  ),
  VERIFICATION_UNAVAILABLE: marker(
    'events',
    'The OAuth server or portal could not be asked to verify an install (503; the portal retries).',
    'Nothing, unless it repeats.',
  ),
} as const satisfies Record<string, ErrorCatalogueEntry>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

export function isCataloguedCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}
