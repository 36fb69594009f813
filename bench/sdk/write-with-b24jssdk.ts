/**
 * Side process: creates N leads through `@bitrix24/b24jssdk` (`B24Hook`, `actions.v2.batchByChunk`: its
 * way to send any number of commands, in sequential batches of 50, here with `isHaltOnError: false`),
 * then counts the leads with one `crm.lead.list`, and prints `SideFigures` as one JSON line. Started by
 * bench/client-write.ts with `NODE_EXTRA_CA_CERTS` set to the emulator's certificate.
 *   node --import tsx bench/sdk/write-with-b24jssdk.ts --webhook URL --count N --bound-ms MS
 */
import { B24Hook, type BatchCommandsArrayUniversal } from '@bitrix24/b24jssdk';
import { benchLeadFields } from './bench-lead-fields.ts';
import { startProcessMeter } from './process-meter.ts';
import { describeError, endAtBound, readSideArguments, reportAndExit } from './side-process-io.ts';

const { webhookUrl, count, boundMs } = readSideArguments();
const hook = B24Hook.fromWebhookUrl(webhookUrl);
const calls: BatchCommandsArrayUniversal = Array.from({ length: count }, (_, index) => ['crm.lead.add', { fields: benchLeadFields(index) }]);
const meter = startProcessMeter();
const cancelBound = endAtBound(meter, boundMs, () => 0);
try {
  const response = await hook.actions.v2.batchByChunk.make({ calls, options: { isHaltOnError: false } });
  const created = response.getData()?.length ?? 0;
  const listed = await hook.actions.v2.call.make({ method: 'crm.lead.list', params: { select: ['ID'], start: 0 } });
  cancelBound();
  reportAndExit(
    meter.finish(created, {
      counted: listed.getTotal(),
      commandFailures: count - created,
      ...(response.isSuccess ? {} : { stopped: `errors: ${response.getErrorMessages().slice(0, 3).join('; ')}` }),
    }),
  );
} catch (error) {
  cancelBound();
  reportAndExit(meter.finish(0, { stopped: describeError(error) }));
}
