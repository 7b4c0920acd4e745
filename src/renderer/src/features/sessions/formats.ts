/** The Save-as formats in the learner's words: what each file is for and which program opens it. */
import { EXPORT_EXTENSIONS, EXPORT_FORMATS, type ExportFormat } from '../../../../shared/transcript';

export interface FormatChoice {
  format: ExportFormat;
  extension: string;
  label: string;
  purpose: string;
}

const WORDS: Record<ExportFormat, { label: string; purpose: string }> = {
  socketlab: { label: 'Socket Lab session', purpose: 'everything, to open again here or hand in' },
  txt: { label: 'Text transcript', purpose: 'to read in any editor' },
  pcapng: { label: 'Wireshark capture', purpose: 'packets for Wireshark or tshark' },
  py: { label: 'Python script', purpose: 'replays what you sent, in the book’s style' },
};

export const FORMAT_CHOICES: readonly FormatChoice[] = EXPORT_FORMATS.map((format) => ({
  format,
  extension: EXPORT_EXTENSIONS[format],
  ...WORDS[format],
}));
