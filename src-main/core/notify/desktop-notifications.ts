import type { ApprovalAnswer } from '../../../src-shared/control-api.js';
import type { Approvals } from '../approvals/approvals.js';
import { AskNotifier } from './ask-notifier.js';
import { detectNotifySend } from './notify-send.js';

export interface DesktopNotificationDeps {
  approvals: Approvals;
  /** The setting `desktopNotifications`. */
  enabled(): boolean;
  answer(id: string, answer: ApprovalAnswer): void;
  redact(text: string): string;
  note(text: string): void;
  now(): number;
  /** Where notify-send is looked for and what it runs with (DISPLAY, DBUS_SESSION_BUS_ADDRESS). */
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

/**
 * Posts every ask as a desktop notification where `notify-send` exists (checked once, at
 * start), with answer buttons when it takes actions. Returns the disposer; where there is no
 * service it does nothing and says so once in the log.
 */
export async function startDesktopNotifications(deps: DesktopNotificationDeps): Promise<() => void> {
  const service = await detectNotifySend(deps.env, deps.platform);
  if (!service) {
    deps.note('desktop notifications: none (no notify-send on PATH); answer asks with: warden approvals watch');
    return () => undefined;
  }
  deps.note(`desktop notifications through ${service.path}${service.actions ? ', with answer buttons' : ' (no buttons: it takes no --action)'}`);
  const notifier = new AskNotifier({ service, enabled: deps.enabled, answer: deps.answer, redact: deps.redact, note: deps.note, now: deps.now });
  const unsubscribe = deps.approvals.subscribe((event, approval) => notifier.onApproval(event, approval));
  return () => {
    unsubscribe();
    notifier.close();
  };
}
