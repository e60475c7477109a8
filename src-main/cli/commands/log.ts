import type { CallRecord } from '../../../src-shared/control-api.js';
import { CliError, UsageError } from '../cli-error.js';
import { parse, type Command } from '../context.js';
import { isoTime } from '../format.js';
import { cameOverHttp } from '../../../src-shared/call-origin.js';

const USAGE = 'warden log [--json] [--follow] [--limit N]';

/** `warden log`: the latest audit rows, and with --follow every row as it is written. */
export const logCommand: Command = async (argv, context) => {
  if (argv[0] === 'verify') {
    const { values: flags } = parse(argv.slice(1), { json: { type: 'boolean' } }, 'warden log verify [--json]');
    const report = await (await context.control()).call('log.verify', {});
    if (flags.json) context.out(JSON.stringify(report));
    else if (report.ok) context.out(`the audit log verifies: ${report.rows} row(s)${report.firstId === null ? '' : `, #${report.firstId} to #${report.lastId}`}`);
    else for (const { problem } of report.problems) context.out(problem);
    if (report.ok) return;
    const listed = report.problems.length;
    const more = report.problemCount > 1 ? ` (${report.problemCount} problems in all${listed < report.problemCount ? `, the first ${listed} listed` : ', listed'} above)` : '';
    throw new CliError(`the audit log does not verify: ${report.problem}${more}`);
  }
  const { values, positionals } = parse(
    argv,
    { json: { type: 'boolean' }, follow: { type: 'boolean', short: 'f' }, limit: { type: 'string' } },
    USAGE,
  );
  if (positionals.length > 0) throw new UsageError(`unexpected "${positionals[0]}"; usage: ${USAGE}`);
  const limit = values.limit === undefined ? 50 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new UsageError('--limit takes a whole number from 1 to 10000');
  const print = (record: CallRecord): void => context.out(values.json ? JSON.stringify(record) : formatCall(record));
  const control = await context.control();
  if (values.follow) {
    control.onEvent((event, data) => {
      if (event === 'call') print(data as CallRecord);
    });
    await control.call('log.follow', {});
  }
  const { calls } = await control.call('log.query', { limit });
  if (!values.follow) {
    if (calls.length === 0 && !values.json) context.out('no calls logged yet');
    for (const record of calls) print(record);
    return;
  }
  await control.closed();
};

/** One line per call: when, who, what, how it ended. */
export function formatCall(record: CallRecord): string {
  const duration = record.durationMs === null ? '' : ` ${Math.round(record.durationMs)}ms`;
  const target = record.target === null ? '' : ` ${record.target}`;
  const error = record.error === null ? '' : ` — ${record.error}`;
  const decision = record.decision === null ? '' : `  [${record.decision}: ${record.reason}]`;
  const via = cameOverHttp(record.session ?? '') ? ' (HTTP)' : '';
  return `${isoTime(record.ts)}  #${record.id}  ${record.client}${via} → ${record.server}  ${record.method}${target}  ${record.outcome}${duration}${error}${decision}`;
}
