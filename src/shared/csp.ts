/**
 * The renderer's Content-Security-Policy, made in one place. Which one governs:
 * - the desktop app: the `app://` response header (src/main/electron/appProtocol.ts), with no sockets at all;
 * - the web host: its own response header, with the sockets of its port;
 * - index.html's meta tag (written at build time by electron.vite.config.ts): the only policy under `npm run dev`,
 *   where Vite's dev server sends no header. In a built app the header and the meta both apply, and the browser
 *   enforces both, so the stricter one wins directive by directive; the meta is never looser than these.
 */

/** Every directive, as the built app uses it. Inline styles and scripts are never allowed in a built app. */
export const RENDERER_CSP_DIRECTIVES = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
} as const satisfies Record<string, readonly string[]>;

export type CspDirective = keyof typeof RENDERER_CSP_DIRECTIVES;

export interface RendererCspOptions {
  /** `header` or `meta`: browsers ignore `frame-ancestors` in a meta tag (and warn), so the meta leaves it out. */
  delivery: 'header' | 'meta';
  /** What the page may connect to (connect-src); default none. */
  connectSrc?: readonly string[];
  /** Vite's dev server injects `<style>` elements: `npm run dev` only allows inline styles. */
  dev?: boolean;
}

/** The sockets index.html's meta allows: the web host's WebSocket on loopback, any port (its header names the port). */
export const META_CONNECT_SRC = ["'self'", 'ws://127.0.0.1:*', 'ws://localhost:*'] as const;

export function rendererCsp(options: RendererCspOptions): string {
  const directives: Record<string, readonly string[]> = { ...RENDERER_CSP_DIRECTIVES };
  if (options.connectSrc) directives['connect-src'] = options.connectSrc;
  if (options.dev) directives['style-src'] = [...RENDERER_CSP_DIRECTIVES['style-src'], "'unsafe-inline'"];
  if (options.delivery === 'meta') delete directives['frame-ancestors'];
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/** The policy index.html's meta tag carries, built or under the dev server. */
export function metaCsp(dev: boolean): string {
  return rendererCsp({ delivery: 'meta', connectSrc: META_CONNECT_SRC, dev });
}
