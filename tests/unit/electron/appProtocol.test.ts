import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppFile } from '../../../src/main/electron/appProtocol';

const root = path.resolve('/opt/socket-lab/renderer');

describe('app:// serving', () => {
  it('maps our own URLs into the renderer folder', () => {
    expect(resolveAppFile(root, 'app://socket-lab/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://socket-lab/assets/index.js')).toBe(path.join(root, 'assets/index.js'));
  });

  it('refuses path traversal, other hosts and other schemes', () => {
    expect(resolveAppFile(root, 'app://socket-lab/../secret')).toBeNull();
    expect(resolveAppFile(root, 'app://socket-lab/%2e%2e/%2e%2e/etc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'app://socket-lab/assets/%2e%2e%2f..%2f..%2fetc%2fpasswd')).toBeNull();
    expect(resolveAppFile(root, 'app://socket-lab/a%00b')).toBeNull();
    expect(resolveAppFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///etc/passwd')).toBeNull();
    expect(resolveAppFile(root, 'app://socket-lab/%E0%A4%A')).toBeNull();
  });
});
