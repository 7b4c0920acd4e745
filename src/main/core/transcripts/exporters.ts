/** Save as: one exporter per format, and the file name a saved session gets. */
import { EXPORT_EXTENSIONS, type ExportFormat, type TranscriptSummary } from '../../../shared/transcript';
import type { Exporter } from './source';

export function exportFileName(summary: Pick<TranscriptSummary, 'startedAt'>, format: ExportFormat): string {
  const at = new Date(summary.startedAt);
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}-${pad(at.getHours())}${pad(at.getMinutes())}`;
  return `socket-lab-${stamp}${EXPORT_EXTENSIONS[format]}`;
}

export type ExporterTable = Record<ExportFormat, Exporter>;
