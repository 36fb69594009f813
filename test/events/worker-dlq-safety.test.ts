/**
 * `chain worker dlq retry ID` of a dead letter whose write outcome is unknown (the answer was lost and
 * nothing could tell whether the write happened): when that write has no natural key, a retry may
 * apply its effect twice, so it is refused without --force (exit 2, DEAD_LETTER_UNSAFE_RETRY) and
 * goes ahead with it. The lost answer is a connection the emulator drops after executing the write.
 */
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { bindEvents, DeadLetterStore, type DeadLetter, type UnknownWrite } from '../../src/events/index.ts';
import { openStateDatabase } from '../../src/store/index.ts';
import { listAll } from '../helpers/portal-reader.ts';
import { addLeads, applicationEnv, runEventsCli, temporaryDatabase, useEventsPortal } from './helpers/events-fixture.ts';

const keylessHandler = fileURLToPath(new URL('./fixtures/keyless-note.yml', import.meta.url));

async function setFaults(url: string, rules: Array<Record<string, unknown>>): Promise<void> {
  const response = await fetch(`${url}/_emulator/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ rules }) });
  assert.equal(response.status, 200, await response.text());
}

function deadLetters(database: string): DeadLetter[] {
  const state = openStateDatabase(database);
  try {
    return new DeadLetterStore(state).list({ all: true });
  } finally {
    state.close();
  }
}

describe('chain worker dlq retry of a dead letter whose write outcome is unknown', () => {
  const portal = useEventsPortal();

  it('refuses without --force when the write has no natural key (exit 2, nothing changes), retries with --force', async () => {
    const database = temporaryDatabase('dlq-unsafe');
    const env = applicationEnv(portal.emulator, database);
    await bindEvents(portal.client, { events: ['ONCRMLEADADD'], offline: true });
    const [lead] = await addLeads(portal.emulator, 1);
    await setFaults(portal.emulator.url, [{ method: 'batch', rate: 1, times: 1, drop: 'after' }]);
    const notes = async (): Promise<number> =>
      (await listAll(portal.emulator.webhookUrl, 'crm.contact.list', { filter: { NAME: `Note for lead ${lead}` }, select: ['ID'] })).length;

    const worked = await runEventsCli(['worker', '--handler', keylessHandler, '--once', '--confirm-write', '--json'], env);
    assert.equal(worked.code, 0, worked.stderr);
    const [letter] = deadLetters(database);
    assert.equal(letter?.error.code, 'OUTCOME_UNKNOWN', JSON.stringify(letter));
    const recorded: UnknownWrite[] = [{ stepId: 'note', subStepId: 'contact', method: 'crm.contact.add', naturalKey: null, resendable: false }];
    assert.deepEqual(letter.unknownWrites, recorded, 'the dead letter records the write that may or may not have happened');
    assert.equal(await notes(), 1, 'the portal did execute the write whose answer was lost');

    const listed = await runEventsCli(['worker', 'dlq', 'list'], env);
    assert.match(listed.stdout, new RegExp(`^    a retry may apply its effect twice: check the portal first \\(dlq retry ${letter.id} --force\\)$`, 'm'));
    const refused = await runEventsCli(['worker', 'dlq', 'retry', String(letter.id)], env);
    assert.equal(refused.code, 2, refused.stderr);
    assert.equal(
      refused.stderr,
      `chain: chain worker dlq retry ${letter.id}: row ${letter.rowId} (ONCRMLEADADD) was given up on because the outcome of note.contact (crm.contact.add) is unknown and that write has no natural key to look it up by; a retry may apply its effect twice (DEAD_LETTER_UNSAFE_RETRY). ` +
        `Check the portal for the effect first: if it is missing, retry with \`chain worker dlq retry ${letter.id} --force\`; if it is there, \`chain worker dlq drop ${letter.id}\`.\n`,
    );
    const refusedJson = await runEventsCli(['worker', 'dlq', 'retry', String(letter.id), '--json'], env);
    assert.equal(refusedJson.code, 2);
    assert.match(refusedJson.stdout, /"code":"DEAD_LETTER_UNSAFE_RETRY"/);
    assert.equal(deadLetters(database)[0]?.status, 'dead', 'still waiting for a person');
    const idle = await runEventsCli(['worker', '--handler', keylessHandler, '--once', '--confirm-write', '--json'], env);
    assert.equal(idle.code, 0, idle.stderr);
    assert.doesNotMatch(idle.stderr, /"type":"retried"/, 'the worker did not retry it');
    assert.equal(await notes(), 1);

    const forced = await runEventsCli(['worker', 'dlq', 'retry', String(letter.id), '--force'], env);
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stderr, /warning: .*a retry may apply its effect twice \(DEAD_LETTER_UNSAFE_RETRY\); retrying anyway \(--force\)/);
    const retried = await runEventsCli(['worker', '--handler', keylessHandler, '--once', '--confirm-write', '--json'], env);
    assert.equal(retried.code, 0, retried.stderr);
    assert.ok(retried.stderr.includes(`"type":"retried","deadLetterId":${letter.id},"status":"resolved"`), retried.stderr);
    assert.equal(await notes(), 2, 'as warned: the effect happened twice');
  });

  const cases: Array<[string, Partial<DeadLetter>, number]> = [
    [
      'a write with a natural key: it can be looked up, so the retry goes ahead',
      {
        unknownWrites: [
          { stepId: 'sync', subStepId: 'contact', method: 'crm.contact.add', naturalKey: 'ORIGINATOR_ID=b24chain-events&ORIGIN_ID=lead-7', resendable: false },
        ],
      },
      0,
    ],
    [
      'an update that sets the same values again: the retry goes ahead',
      { unknownWrites: [{ stepId: 'sync', subStepId: 'touch', method: 'crm.lead.update', naturalKey: null, resendable: true }] },
      0,
    ],
    ['no record of which write: refused, it cannot be checked', { unknownWrites: null }, 2],
    ['a failure that is not an unknown outcome: the retry goes ahead', { error: { code: 'ERROR_CORE', message: 'refused' }, unknownWrites: null }, 0],
  ];
  for (const [name, letter, code] of cases) {
    it(`dlq retry of ${name}`, async () => {
      const database = temporaryDatabase('dlq-cases');
      const state = openStateDatabase(database);
      let id: number;
      try {
        id = new DeadLetterStore(state).add({
          portal: 'p',
          source: 'offline',
          authConnector: '',
          eventName: 'ONCRMLEADADD',
          rowId: '7',
          messageId: 'm',
          processId: 'x',
          payload: {},
          error: { code: 'OUTCOME_UNKNOWN', message: 'sync: a write for this row was sent and never answered' },
          attempts: 1,
          firstSeen: 1,
          lastSeen: 1,
          ...letter,
        });
      } finally {
        state.close();
      }
      const result = await runEventsCli(['worker', 'dlq', 'retry', String(id)], applicationEnv(portal.emulator, database));
      assert.equal(result.code, code, result.stderr);
      assert.equal(deadLetters(database)[0]?.status, code === 0 ? 'retry' : 'dead');
    });
  }
});
