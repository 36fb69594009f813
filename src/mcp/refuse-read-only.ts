import { RefusalError } from '../errors/index.ts';

/** `--read-only`: every write is refused before anything is planned or sent. */
export function refuseReadOnly(subject: string): never {
  throw new RefusalError(`${subject}: this server runs with --read-only and never writes; nothing was planned or sent (READ_ONLY).`, {
    code: 'READ_ONLY',
    hint: 'Only reads are available. A person can start the server without --read-only to allow approved writes.',
    subject,
  });
}
