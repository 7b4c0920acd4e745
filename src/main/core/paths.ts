import os from 'node:os';
import path from 'node:path';

/** The same folder Electron's `app.getPath('userData')` gives for "Socket Lab", so both transports share progress. */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  const home = os.homedir();
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Socket Lab');
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Socket Lab');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Socket Lab');
}
