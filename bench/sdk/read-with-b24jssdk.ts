/**
 * Side process: reads every lead through `@bitrix24/b24jssdk` (`B24Hook`, `actions.v2.fetchList`: its
 * streaming full-list method, one page of 50 rows per request, keyset by `>ID`) and prints
 * `SideFigures` as one JSON line. Started by bench/client-read.ts with `NODE_EXTRA_CA_CERTS` set to the
 * emulator's certificate (the SDK builds only `https://` URLs).
 *   node --import tsx bench/sdk/read-with-b24jssdk.ts --webhook URL --count N --bound-ms MS
 */
import { B24Hook } from '@bitrix24/b24jssdk';
import { startProcessMeter } from './process-meter.ts';
import { describeError, endAtBound, readSideArguments, reportAndExit } from './side-process-io.ts';

interface LeadRow {
  ID: string;
  TITLE: string;
  STATUS_ID: string;
  ASSIGNED_BY_ID: string;
}

const { webhookUrl, count, boundMs } = readSideArguments();
const hook = B24Hook.fromWebhookUrl(webhookUrl);
const meter = startProcessMeter();
let read = 0;
const cancelBound = endAtBound(meter, boundMs, () => read);
try {
  const pages = hook.actions.v2.fetchList.make<LeadRow>({
    method: 'crm.lead.list',
    params: { select: ['ID', 'TITLE', 'STATUS_ID', 'ASSIGNED_BY_ID'] },
    idKey: 'ID',
  });
  for await (const page of pages) {
    read += page.length;
    meter.sample();
  }
  cancelBound();
  reportAndExit(meter.finish(read, read === count ? {} : { stopped: `the list ended after ${read} of ${count} rows` }));
} catch (error) {
  cancelBound();
  reportAndExit(meter.finish(read, { stopped: describeError(error) }));
}
