import { settingsSchema, type UserSettings } from '../../../src-shared/control-api.js';
import { UsageError } from '../cli-error.js';
import { parse, type Command } from '../context.js';

const USAGE = 'warden settings get [--json] | set NAME VALUE';

/** `warden settings get | set NAME VALUE`, and `warden pause | resume`. */
export const settingsCommand: Command = async (argv, context) => {
  const [verb, ...rest] = argv;
  if (verb === 'get' || verb === undefined) {
    const { values } = parse(rest, { json: { type: 'boolean' } }, USAGE);
    const { settings } = await (await context.control({ start: false })).call('settings.get', {});
    if (values.json) return context.out(JSON.stringify(settings));
    return context.out(Object.entries(settings).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join('\n'));
  }
  if (verb !== 'set') throw new UsageError(`usage: ${USAGE}`);
  const { positionals } = parse(rest, {}, USAGE);
  if (positionals.length !== 2) throw new UsageError(`expected a setting name and a value; usage: ${USAGE}`);
  const [name, raw] = positionals as [string, string];
  if (!Object.hasOwn(settingsSchema.shape, name)) {
    throw new UsageError(`unknown setting "${name}"; the settings are: ${Object.keys(settingsSchema.shape).join(', ')}`);
  }
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // Left as text; the core says what it expected.
  }
  const { settings } = await (await context.control()).call('settings.set', { [name]: value } as Partial<UserSettings>);
  return context.out(`${name} = ${JSON.stringify(settings[name as keyof UserSettings])}`);
};

/** `warden pause` / `warden resume`: the kill switch. */
export function pauseCommand(paused: boolean): Command {
  return async (argv, context) => {
    parse(argv, {}, paused ? 'warden pause' : 'warden resume');
    await (await context.control()).call('settings.set', { paused });
    context.out(paused ? 'paused: every tool call, resource read and prompt is refused until: warden resume' : 'resumed: calls are decided by the rules again');
  };
}
