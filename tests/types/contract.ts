/**
 * Pins the contract: the preload bridge, the web client and main's handler map implement exactly
 * LabApi / LabCommands. Checked by `tsc -b tests/tsconfig.browser.json` (npm run typecheck, part of npm test); a drift is a compile error.
 */
import type { CommandName, LabApi, LabCommands } from '../../src/shared/contract';
import type { PreloadLab } from '../../src/preload/index';
import type { WebSocketLab } from '../../src/renderer/src/lib/transport/webSocketLab';
import type { argumentValidators } from '../../src/main/core/dispatch';
import type { LabSession } from '../../src/main/core/session';

type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type PublicOf<T> = { [K in keyof T]: T[K] };

// The preload's window.lab is exactly LabApi: no missing function, no extra one (ipcRenderer never leaks).
export const preloadIsLabApi: Equals<keyof PreloadLab, keyof LabApi> = true;
export const preloadSignatures: PreloadLab extends LabApi ? true : false = true;

// The web client is exactly LabApi, plus one thing only a WebSocket has: news that the link to the host dropped
// (the preload bridge lives and dies with its window, so it has no such event).
export const webClientIsLabApi: Equals<
  Exclude<keyof PublicOf<WebSocketLab>, 'onLinkLost' | 'uploadTranscript'>,
  keyof LabApi
> = true;
export const webClientSignatures: WebSocketLab extends LabApi ? true : false = true;

// Main validates every command and the session implements every command, with the same signatures.
export const mainValidatesEveryCommand: Equals<keyof typeof argumentValidators, CommandName> = true;
export const mainImplementsEveryCommand: Equals<LabSession['commands'], LabCommands> = true;
