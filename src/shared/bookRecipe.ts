/**
 * How to run the book's own Python programs against the lab HTTP server, with its real address filled in. One
 * recipe, printed by `npm run lab-server`, shown by the app's "Run the book's programs" panel, and the same words
 * the README gives for 127.0.0.1:8080. Socket programs change their connect line; urllib programs run unchanged
 * with the lab as their proxy (the lab takes absolute-form requests, as a proxy does).
 */

export interface BookRecipeStep {
  /** Stable, for tests and the panel's keys. */
  id: 'socket' | 'proxy-unix' | 'proxy-windows-cmd' | 'proxy-powershell' | 'proxy-idle' | 'exercise-1';
  title: string;
  /** What to do and why, in a sentence or two. */
  words: string;
  /** What to copy: Python lines or shell commands, exactly as typed. */
  code: string;
}

export interface BookRecipe {
  /** `http://127.0.0.1:8080`: the lab HTTP server as a URL (the proxy address). */
  labUrl: string;
  steps: BookRecipeStep[];
}

/** The lab HTTP server's address; `::1` gets brackets in URLs and an AF_INET6 socket. */
export function bookRecipe(http: { host: string; port: number }): BookRecipe {
  const v6 = http.host.includes(':');
  const labUrl = `http://${v6 ? `[${http.host}]` : http.host}:${http.port}`;
  const connect = `mysock.connect(('${http.host}', ${http.port}))`;
  return {
    labUrl,
    steps: [
      {
        id: 'socket',
        title: 'Socket programs: change the connect line',
        words:
          'socket1.py, urljpeg.py and exercises 1, 2 and 5 open their own connection to data.pr4e.org port 80. ' +
          'Change only that line, to the lab; keep the request as it is (GET http://data.pr4e.org/romeo.txt ' +
          'HTTP/1.0): the lab answers for the host it names.',
        code: v6 ? `mysock = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)\n${connect}` : connect,
      },
      {
        id: 'proxy-unix',
        title: 'urllib programs: run them unchanged, with the lab as their proxy (macOS, Linux)',
        words:
          'urllib1.py, urlwords.py, curl1-3.py, urllinks.py and the link-following programs run byte for byte. ' +
          'http_proxy sends every http:// URL to the lab, which answers for data.pr4e.org, www.py4e.com and ' +
          'www.dr-chuck.com; https_proxy stops an https:// link at the lab ("HTTPS Not Served Offline") ' +
          'instead of letting it out. Type this in the terminal that runs python3; it lasts until you close it ' +
          '(or type unset http_proxy https_proxy).',
        code: `export http_proxy=${labUrl} https_proxy=${labUrl}`,
      },
      {
        id: 'proxy-windows-cmd',
        title: 'The same on Windows, in Command Prompt',
        words: 'Type these two lines, then run python in the same window.',
        code: `set http_proxy=${labUrl}\nset https_proxy=${labUrl}`,
      },
      {
        id: 'proxy-powershell',
        title: 'The same on Windows, in PowerShell',
        words: 'Type this line, then run python in the same window.',
        code: `$env:http_proxy = "${labUrl}"; $env:https_proxy = "${labUrl}"`,
      },
      {
        id: 'proxy-idle',
        title: 'The same in IDLE (or an editor with a Run button)',
        words: 'Put this one line at the very top of the program, before anything opens a URL.',
        code: `import os; os.environ['http_proxy'] = os.environ['https_proxy'] = '${labUrl}'`,
      },
      {
        id: 'exercise-1',
        title: "Exercise 1: url.split('/')[2] and a port",
        words:
          `Typed as ${labUrl}/romeo.txt, a URL's url.split('/')[2] is '${v6 ? `[${http.host}]` : http.host}:` +
          `${http.port}', host and port together, and connect() cannot use that. Either change the connect ` +
          "line as above and type the book's URL, or split off the port with this one line and connect to both" +
          (v6 ? ' (it needs an IPv4 address: run the lab on 127.0.0.1 for this one):' : ':'),
        code: "host, port = (url.split('/')[2].split(':') + ['80'])[:2]\nmysock.connect((host, int(port)))",
      },
    ],
  };
}
