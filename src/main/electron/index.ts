/** The Electron app's entry: the only code that imports 'electron' lives beside it and wraps the same core. */
import { startDesktopApp } from './desktopApp';

startDesktopApp();
