/** The services pack's chains through the real CLI against an emulator process (demo seed). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { methodDelta, useLibraryHarness } from './helpers/use-library-harness.ts';

const WRITES = ['booking.v1.booking.add', 'booking.v1.booking.update', 'calendar.event.add', 'calendar.event.update', 'timeman.open', 'timeman.close'];
const writesIn = (delta: Record<string, number>): Record<string, number> =>
  Object.fromEntries(Object.entries(delta).filter(([method]) => WRITES.includes(method)));

interface Booking {
  id: number;
  name: string;
  description: string | null;
  resourceIds: number[];
  datePeriod: { from: { timestamp: number }; to: { timestamp: number } };
}
interface CalendarEvent {
  ID: string;
  NAME: string;
  DATE_FROM_TS_UTC: string;
  DATE_TO_TS_UTC: string;
  LOCATION: string;
}

describe('chains/services', () => {
  const harness = useLibraryHarness();
  const files = ['services/booking-lifecycle.yml', 'services/calendar-event.yml', 'services/workday.yml'];

  /** One confirmed run; returns the writes it sent and its outputs. */
  async function run(file: string, args: string[]): Promise<{ sent: Record<string, number>; outputs: Record<string, unknown> }> {
    const before = await harness.methodCounts();
    const { cli, report } = await harness.run(file, [...args, '--confirm-write']);
    assert.equal(cli.code, 0, cli.stdout + cli.stderr);
    return { sent: writesIn(methodDelta(before, await harness.methodCounts())), outputs: report?.outputs ?? {} };
  }

  it('validates clean, each chain naming the scope it needs', async () => {
    const { cli, files: reports } = await harness.validate(files);
    assert.equal(cli.code, 0, cli.stderr);
    assert.deepEqual(
      reports.map((report) => [report.valid, report.scopes, report.destructive.length]),
      [
        [true, ['booking'], 0],
        [true, ['calendar'], 0],
        [true, ['timeman'], 0],
      ],
    );
  });

  it('refuses to write without --confirm-write (exit 2, nothing written)', async () => {
    const inputs: Record<string, string[]> = {
      'services/booking-lifecycle.yml': ['--input', 'resource=Consultant', '--input', 'name=Refused', '--input', 'start=2026-12-01T09:00:00Z'],
      'services/calendar-event.yml': ['--input', 'name=Refused', '--input', 'start=2026-12-01T09:00:00Z'],
      'services/workday.yml': [],
    };
    for (const file of files) {
      const before = await harness.methodCounts();
      const { cli } = await harness.run(file, inputs[file] ?? []);
      assert.equal(cli.code, 2, `${file}: ${cli.stdout}${cli.stderr}`);
      assert.match(cli.stdout + cli.stderr, /confirm-write/);
      assert.deepEqual(writesIn(methodDelta(before, await harness.methodCounts())), {}, file);
    }
  });

  it('booking-lifecycle: books the resource once, reschedules the same booking when the start moves', async () => {
    const start = Date.parse('2026-12-01T10:00:00Z') / 1000;
    const args = ['--input', 'resource=Meeting room', '--input', 'name=Demo for ACME', '--input', 'start=2026-12-01T10:00:00Z', '--input', 'minutes=45'];
    const first = await run('services/booking-lifecycle.yml', args);
    assert.deepEqual(first.sent, { 'booking.v1.booking.add': 1 });
    assert.deepEqual((await run('services/booking-lifecycle.yml', args)).sent, {}, 'the second run sends nothing');
    const moved = await run('services/booking-lifecycle.yml', [
      ...args.slice(0, 4),
      '--input',
      'start=2026-12-01T11:00:00Z',
      '--input',
      'minutes=45',
      '--input',
      'description=Moved by the client',
    ]);
    assert.deepEqual(moved.sent, { 'booking.v1.booking.update': 1 });
    const { booking } = (await harness.read('booking.v1.booking.list', { filter: { within: { dateFrom: start - 86_400, dateTo: start + 86_400 } } })) as {
      booking: Booking[];
    };
    const ours = booking.filter((row) => row.name === 'Demo for ACME');
    assert.equal(ours.length, 1, 'one booking');
    assert.equal(ours[0]?.id, first.outputs.booking_id);
    assert.deepEqual(
      [ours[0]?.datePeriod.from.timestamp, ours[0]?.datePeriod.to.timestamp, ours[0]?.description],
      [start + 3600, start + 3600 + 45 * 60, 'Moved by the client'],
    );
  });

  it('calendar-event: adds the event to the default section once, updates it when it moves', async () => {
    const args = ['--input', 'owner_id=2', '--input', 'name=Quarterly review', '--input', 'start=2026-12-02T14:00:00Z', '--input', 'minutes=90'];
    const first = await run('services/calendar-event.yml', args);
    assert.deepEqual(first.sent, { 'calendar.event.add': 1 });
    assert.deepEqual((await run('services/calendar-event.yml', args)).sent, {});
    const moved = await run('services/calendar-event.yml', [...args.slice(0, 4), '--input', 'start=2026-12-03T09:00:00Z', '--input', 'location=Room 2']);
    assert.deepEqual(moved.sent, { 'calendar.event.update': 1 });
    const events = (await harness.read('calendar.event.get', { type: 'user', ownerId: 2, from: '2026-11-01', to: '2027-01-01' })) as CalendarEvent[];
    const start = Date.parse('2026-12-03T09:00:00Z') / 1000;
    assert.deepEqual(
      events.map((event) => [event.NAME, Number(event.DATE_FROM_TS_UTC), Number(event.DATE_TO_TS_UTC), event.LOCATION]),
      [['Quarterly review', start, start + 60 * 60, 'Room 2']],
    );
  });

  it('workday: opens a closed day once, then closes it', async () => {
    const opened = await run('services/workday.yml', ['--input', 'user_id=3', '--input', 'action=open']);
    assert.deepEqual([opened.sent, opened.outputs.before, opened.outputs.after], [{ 'timeman.open': 1 }, 'CLOSED', 'OPENED']);
    assert.deepEqual((await run('services/workday.yml', ['--input', 'user_id=3', '--input', 'action=open'])).sent, {}, 'an open day is not opened again');
    const closed = await run('services/workday.yml', ['--input', 'user_id=3', '--input', 'action=close', '--input', 'report=Done']);
    assert.deepEqual([closed.sent, closed.outputs.after], [{ 'timeman.close': 1 }, 'CLOSED']);
    const status = (await harness.read('timeman.status', { USER_ID: 3 })) as { STATUS: string; TIME_START: string | null; TIME_FINISH: string | null };
    assert.equal(status.STATUS, 'CLOSED');
    assert.ok(status.TIME_START !== null && status.TIME_FINISH !== null, 'the day has a start and a finish');
  });
});
