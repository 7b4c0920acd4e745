import { ipcMain, type IpcMainInvokeEvent, type WebContents } from 'electron';
import { COMMAND_CHANNELS, COMMAND_NAMES, type LabCommands } from '../../shared/contract';
import { createGuardedHandler } from './senderGuard';

/** One handler per command channel, each behind the sender guard and argument validation. */
export function registerLabIpc(
  trustedOrigins: readonly string[],
  commandsFor: (sender: WebContents) => Promise<LabCommands>,
): void {
  for (const name of COMMAND_NAMES) {
    const channel = COMMAND_CHANNELS[name];
    // event.sender is the WebContents that sent it; no need to look it up among the windows.
    const handler = createGuardedHandler(channel, trustedOrigins, (event: IpcMainInvokeEvent) =>
      commandsFor(event.sender),
    );
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => handler(event, ...args));
  }
}
