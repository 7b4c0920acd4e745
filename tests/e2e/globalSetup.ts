// Runs once before the end-to-end tests: the Electron specs need the binary; say plainly when they will be skipped.
import { electronBinary } from '../../scripts/electron-binary.cjs';

export default function globalSetup(): void {
  const binary = electronBinary();
  if (!binary.installed) {
    console.log(`\nElectron end-to-end tests will be skipped: ${binary.reason}.\n`);
  }
}
