/** Save as and Open through the system's own dialogs, opened here in main: the page never names a path. */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { dialog, type BrowserWindow, type OpenDialogOptions, type SaveDialogOptions } from 'electron';
import { fail, ok, type Result } from '../../shared/errors';
import { LIMITS } from '../../shared/limits';
import type { OpenOutcome } from '../../shared/contract';
import { EXPORT_EXTENSIONS, type ExportFormat, type SessionListing } from '../../shared/transcript';
import type { LabApp } from '../core/labApp';
import type { SessionFiles } from '../core/session';
import { storageFailure } from '../core/storageErrors';
import { writeFileAtomically } from '../core/transcripts/atomicWrite';

export const FORMAT_NAMES: Record<ExportFormat, string> = {
  socketlab: 'Socket Lab session',
  txt: 'Text transcript',
  pcapng: 'Wireshark capture (pcapng)',
  py: 'Python script',
};

/** Reads a transcript file main was given (by its dialog, or by the system), size-checked first. */
export async function openTranscriptAt(lab: LabApp, file: string): Promise<Result<SessionListing>> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) return fail('BAD_FILE', `${path.basename(file)} is a folder, not a file.`, 'Pick a file.');
    size = info.size;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return fail(
      'BAD_FILE',
      code === 'ENOENT'
        ? `${path.basename(file)} is not there any more.`
        : `${path.basename(file)} cannot be read (${code ?? String(error)}).`,
      'Pick another file.',
    );
  }
  if (size > LIMITS.maxTranscriptFileBytes) {
    return fail(
      'FILE_TOO_LARGE',
      `That file is ${Math.round(size / 2 ** 20)} MiB; Socket Lab opens transcripts of up to ${LIMITS.maxTranscriptFileBytes / 2 ** 20} MiB.`,
      'Open a smaller transcript.',
    );
  }
  return lab.transcripts.importFile(path.basename(file), createReadStream(file));
}

/** The window's own Save as and Open, for its session (`owner` is the window the dialogs belong to). */
export function desktopFiles(
  lab: LabApp,
  owner: () => BrowserWindow | undefined,
  documentsDir: () => string,
): SessionFiles {
  return {
    async save(id, format) {
      const named = await lab.transcripts.fileName(id, format);
      if (!named.ok) return named;
      const options: SaveDialogOptions = {
        title: 'Save the session as',
        defaultPath: path.join(documentsDir(), named.value),
        filters: [{ name: FORMAT_NAMES[format], extensions: [EXPORT_EXTENSIONS[format].slice(1)] }],
      };
      const window = owner();
      const choice = window ? await dialog.showSaveDialog(window, options) : await dialog.showSaveDialog(options);
      if (choice.canceled || !choice.filePath) return ok({ kind: 'cancelled' });
      const exported = await lab.transcripts.export(id, format);
      if (!exported.ok) return exported;
      try {
        await writeFileAtomically(choice.filePath, exported.value.chunks);
      } catch (error) {
        return storageFailure('The transcript', choice.filePath, error);
      }
      return ok({ kind: 'saved', fileName: path.basename(choice.filePath) });
    },
    async open(): Promise<Result<OpenOutcome>> {
      const options: OpenDialogOptions = {
        title: 'Open a saved session',
        properties: ['openFile'],
        filters: [
          { name: FORMAT_NAMES.socketlab, extensions: ['socketlab'] },
          { name: 'All files', extensions: ['*'] },
        ],
      };
      const window = owner();
      const choice = window ? await dialog.showOpenDialog(window, options) : await dialog.showOpenDialog(options);
      const file = choice.filePaths[0];
      if (choice.canceled || !file) return ok({ kind: 'cancelled' });
      const opened = await openTranscriptAt(lab, file);
      return opened.ok ? ok({ kind: 'opened', session: opened.value }) : opened;
    },
  };
}
