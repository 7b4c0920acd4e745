/**
 * The guard every IPC handler sits behind, kept free of `electron` imports so it is unit-tested in
 * plain Node: the message must come from our own page, in the main frame, and pass validation.
 */
import type { LabCommands } from '../../shared/contract';
import { fail, type Result } from '../../shared/errors';
import { dispatchCommand } from '../core/dispatch';

/** The parts of Electron's WebFrameMain the guard reads. */
export interface SenderFrameLike {
  url: string;
  /** null for a main frame. */
  parent: unknown;
}

export interface IpcEventLike {
  senderFrame: SenderFrameLike | null;
  sender: { id: number };
}

/** `app://socket-lab` in production; the dev server's origin under `electron-vite dev`. */
export function originOf(url: string): string | null {
  try {
    const parsed = new URL(url);
    // URL.origin is "null" for custom schemes, so compare scheme and host ourselves.
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return null;
  }
}

export function isTrustedSender(frame: SenderFrameLike | null, trustedOrigins: readonly string[]): boolean {
  try {
    if (!frame || frame.parent !== null) return false;
    const origin = originOf(frame.url);
    return origin !== null && trustedOrigins.includes(origin);
  } catch {
    // A frame that was destroyed or navigated away throws when read: it is not our page any more.
    return false;
  }
}

export function createGuardedHandler<E extends IpcEventLike>(
  channel: string,
  trustedOrigins: readonly string[],
  commandsFor: (event: E) => LabCommands | Promise<LabCommands>,
): (event: E, ...args: unknown[]) => Promise<Result<unknown>> {
  return async (event, ...args) => {
    if (!isTrustedSender(event.senderFrame, trustedOrigins)) {
      return fail(
        'FORBIDDEN',
        'This message did not come from the Socket Lab page.',
        'Only the lab window may use the lab.',
      );
    }
    let commands: LabCommands;
    try {
      commands = await commandsFor(event);
    } catch {
      return fail('DISCONNECTED', 'The lab is not ready for this window yet.', 'Wait a moment, then try again.');
    }
    return dispatchCommand(commands, channel, args);
  };
}
