import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, hostAllowed, originAllowed } from '../../../src/main/web/security';

describe("the web host's Host and Origin checks", () => {
  it('answer to 127.0.0.1 and localhost with the port, in any case, and nothing else', () => {
    expect(hostAllowed('127.0.0.1:8123', 8123)).toBe(true);
    expect(hostAllowed('LOCALHOST:8123', 8123)).toBe(true);
    expect(originAllowed('http://localhost:8123', 8123)).toBe(true);
    for (const host of ['127.0.0.1', '127.0.0.1:8124', 'localhost.:8123', '[::1]:8123', 'evil.example:8123']) {
      expect(hostAllowed(host, 8123)).toBe(false);
    }
    for (const origin of ['null', 'http://127.0.0.1', 'https://127.0.0.1:8123', 'http://evil.example:8123']) {
      expect(originAllowed(origin, 8123)).toBe(false);
    }
    expect(hostAllowed(undefined, 8123)).toBe(false);
    expect(originAllowed(undefined, 8123)).toBe(false);
  });

  it('take the bare name on port 80, where a browser leaves the default port out', () => {
    // npm run web -- --port 80: the browser sends "Host: 127.0.0.1" and "Origin: http://127.0.0.1".
    expect(hostAllowed('127.0.0.1', 80)).toBe(true);
    expect(hostAllowed('localhost', 80)).toBe(true);
    expect(hostAllowed('127.0.0.1:80', 80)).toBe(true);
    expect(originAllowed('http://127.0.0.1', 80)).toBe(true);
    expect(hostAllowed('evil.example', 80)).toBe(false);
    expect(contentSecurityPolicy(80)).toContain('ws://127.0.0.1');
  });
});
