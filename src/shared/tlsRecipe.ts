/**
 * How to point the book's Python at the lab HTTPS server, in the book's own `ssl` context style
 * (`ctx = ssl.create_default_context()`, then the two lines that switch the certificate check off). Shared: the
 * lab-server CLI prints it, and the renderer's code twin may show it. Pure text.
 */

export interface TlsRecipeTarget {
  host: string;
  port: number;
}

export interface TlsRecipe {
  /** urllib with an ssl context, as the book's urllinks.py does it. */
  urllib: string;
  /** A socket wrapped in TLS, as socket1.py would be. */
  socket: string;
  /** The same from a terminal. */
  curl: string;
  openssl: string;
}

function authority({ host, port }: TlsRecipeTarget): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export const LAB_ONLY_COMMENT = '# Only for the lab: no authority vouches for its certificate, made on this computer.';

/**
 * The book's ssl context: `ssl.create_default_context()` checks the certificate; for the lab's own certificate,
 * which no authority signed, the two lines that switch the check off, with the comment that this is only for the lab.
 */
export function sslContextLines(labCertificate = true): string[] {
  const lines = ['ctx = ssl.create_default_context()'];
  if (labCertificate) lines.push(LAB_ONLY_COMMENT, 'ctx.check_hostname = False', 'ctx.verify_mode = ssl.CERT_NONE');
  return lines;
}

export function tlsRecipe(target: TlsRecipeTarget): TlsRecipe {
  const url = `https://${authority(target)}/romeo.txt`;
  const context = sslContextLines();
  return {
    urllib: [
      'import urllib.request, ssl',
      ...context,
      `fhand = urllib.request.urlopen('${url}', context=ctx)`,
      'for line in fhand:',
      '    print(line.decode().strip())',
    ].join('\n'),
    socket: [
      'import socket, ssl',
      ...context,
      `sock = socket.create_connection(('${target.host}', ${target.port}))`,
      "mysock = ctx.wrap_socket(sock, server_hostname='data.pr4e.org')",
      "mysock.send('GET http://data.pr4e.org/romeo.txt HTTP/1.0\\r\\n\\r\\n'.encode())",
      'while True:',
      '    data = mysock.recv(512)',
      '    if len(data) < 1:',
      '        break',
      '    print(data.decode(), end="")',
      'mysock.close()',
    ].join('\n'),
    curl: `curl -k ${url}`,
    openssl: `openssl s_client -connect ${authority(target)} -servername data.pr4e.org`,
  };
}
