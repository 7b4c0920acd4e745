import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { COMMAND_CHANNELS, COMMAND_NAMES, type LabCommands } from '../../shared/contract';
import { createGuardedHandler } from './senderGuard';

/** One handler per command channel, each behind the sender guard and argument validation. */
export function registerLabIpc(
  trustedOrigins: readonly string[],
  commandsFor: (senderId: number) => LabCommands,
): void {
  for (const name of COMMAND_NAMES) {
    const channel = COMMAND_CHANNELS[name];
    const handler = createGuardedHandler(channel, trustedOrigins, (event) => commandsFor(event.sender.id));
    ipcMain.handle(channel, (event: IpcMainInvokeEvent, ...args: unknown[]) => handler(event, ...args));
  }
}
