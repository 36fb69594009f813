/** The real `B24Client` seen through the runner's `RunnerClient` interface. */
import type { B24Client } from '../client/b24-client.ts';
import type { ListCursor } from '../protocol/list-methods.ts';
import { OutcomeUnknownError } from '../errors/outcome-unknown-error.ts';
import type { BatchAnswer, RunnerClient } from './runner-client.ts';

export function adaptClient(client: B24Client): RunnerClient {
  return {
    portalKey: client.connection.portalKey,
    call: (method, params, options = {}) => client.call(method, params, options),
    async batch(commands, options) {
      const result = await client.batch(commands, {
        halt: options.halt,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.write === undefined ? {} : { write: options.write }),
      });
      if (result.unknown.length > 0) {
        throw new OutcomeUnknownError({ method: 'batch', commands: result.unknown, reason: 'the answer was lost', ...(result.failure ? { cause: result.failure } : {}) });
      }
      if (result.failure && Object.keys(result.results).length === 0 && Object.keys(result.errors).length === 0) throw result.failure;
      const answer: BatchAnswer = { results: result.results, errors: {}, notExecuted: result.notExecuted };
      for (const [name, error] of Object.entries(result.errors)) {
        answer.errors[name] = { code: error.bitrixCode, message: error.description || error.message, retryable: error.retryable };
      }
      return answer;
    },
    list(method, params, options = {}) {
      const iterator = client.list(method, params, {
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.startAfter ? { cursor: options.startAfter as ListCursor } : {}),
        ...(options.version === undefined ? {} : { version: options.version }),
      });
      return (async function* () {
        for await (const page of iterator) yield { rows: page.rows, cursor: page.cursor, ...(page.total === undefined ? {} : { total: page.total }) };
      })();
    },
    counters: () => client.counters(),
  };
}
