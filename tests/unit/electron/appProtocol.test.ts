import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resolveAppFile } from '../../../src/main/electron/appProtocol';

const root = path.resolve('/opt/socket-lab/renderer');

describe('app:// serving', () => {
  it('maps our own URLs into the renderer folder', () => {
    expect(resolveAppFile(root, 'app://socket-lab/')).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile(root, 'app://socket-lab/assets/index.js')).toBe(path.join(root, 'assets/index.js'));
  });

  it('never resolves outside the renderer folder, whatever the encoding', () => {
    const hostile = [
      'app://socket-lab/../secret',
      'app://socket-lab/%2e%2e/%2e%2e/etc/passwd',
      'app://socket-lab/assets/%2e%2e%2f..%2f..%2fetc%2fpasswd',
      'app://socket-lab/..%5c..%5cwindows',
      'app://socket-lab/%252e%252e/etc/passwd',
    ];
    for (const url of hostile) {
      const file = resolveAppFile(root, url);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
    }
    // Encoded slashes survive URL parsing; decoded, they would climb out: refused.
    expect(resolveAppFile(root, 'app://socket-lab/assets/%2e%2e%2f..%2f..%2fetc%2fpasswd')).toBeNull();
  });

  it('refuses NUL bytes, bad escapes, other hosts and other schemes', () => {
    expect(resolveAppFile(root, 'app://socket-lab/a%00b')).toBeNull();
    expect(resolveAppFile(root, 'app://socket-lab/%E0%A4%A')).toBeNull();
    expect(resolveAppFile(root, 'app://other/index.html')).toBeNull();
    expect(resolveAppFile(root, 'file:///etc/passwd')).toBeNull();
  });
});
