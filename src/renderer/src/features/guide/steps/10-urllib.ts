/** Step 10 of the guided lab, Let urllib do it: its words and its check. */
import { result, count, allExchanges, httpStep, requestVersion, method, type StepCheck } from '../checkHelpers';
import { URLLIB_REQUEST, type GuideStep } from '../guideStep';
import { headerValue, type HttpMessage } from '../../../../../shared/http';

/** The request urllib sends: HTTP/1.1 with Host, Connection: close and Accept-Encoding: identity, then the close. */
export const checkUrllib: StepCheck = httpStep((events, context) => {
  const candidates = allExchanges(events, context).filter(
    ({ exchange }) => method(exchange.request) === 'GET' && requestVersion(exchange.request) === 'HTTP/1.1',
  );
  const has = (request: HttpMessage, name: string, value: RegExp): boolean =>
    value.test(headerValue(request, name) ?? '');
  const withHost = candidates.filter(({ exchange }) => has(exchange.request, 'host', /\S/));
  const withClose = withHost.filter(({ exchange }) => has(exchange.request, 'connection', /^close$/i));
  const withIdentity = withClose.filter(({ exchange }) => has(exchange.request, 'accept-encoding', /^identity$/i));
  const done = withIdentity.find(
    ({ conn, exchange }) =>
      exchange.responseComplete &&
      conn.peerEndedIndex !== null &&
      exchange.responseIndex !== null &&
      conn.peerEndedIndex >= exchange.responseIndex,
  );
  const parts = [
    { label: 'An HTTP/1.1 GET with a Host header', done: withHost.length > 0 },
    { label: 'With Connection: close', done: withClose.length > 0 },
    { label: 'With Accept-Encoding: identity', done: withIdentity.length > 0 },
    { label: 'The answer arrived and the server closed, as urllib expects', done: done !== undefined },
  ];
  let detail = '';
  if (done?.exchange.response) {
    detail = `You spoke like urllib. urlopen() would read the status line and the ${count(done.exchange.response.headers.length, 'header')} for you and hand your program only the ${count(done.exchange.response.contentLength ?? done.exchange.response.bodyLength, 'byte')} of body.`;
  }
  return result(parts, detail, `${parts.filter((part) => part.done).length} of 4 done.`);
});

export const urllibStep: GuideStep<'urllib'> = {
  id: 'urllib',
  number: 10,
  title: 'Let urllib do it',
  explain: [
    'Python’s `urllib.request` does all of this for you. It opens the socket, sends the request, reads the status line and the headers, and gives your program only the body.',
    'It speaks HTTP/1.1 and adds headers of its own: `Host`, `Accept-Encoding: identity` (send the body as it is, not compressed), `User-Agent` (who is asking) and `Connection: close` (close after answering, so the end of the answer is plain).',
  ],
  code: [
    {
      caption: 'The program',
      text: "import urllib.request\n\nfhand = urllib.request.urlopen('http://data.pr4e.org/romeo.txt')\nfor line in fhand:\n    print(line.decode().strip())\n",
    },
    {
      caption: 'The request it sends (the version number in User-Agent is your Python’s)',
      text: 'GET /romeo.txt HTTP/1.1\\r\\n\nAccept-Encoding: identity\\r\\n\nHost: data.pr4e.org\\r\\n\nUser-Agent: Python-urllib/3.11\\r\\n\nConnection: close\\r\\n\n\\r\\n\n',
    },
  ],
  task: () => [
    `Connect to \`data.pr4e.org\` port \`80\` and send the request urllib sends, in one message: pick the template "urllib1.py: the request urlopen() sends", or type \`${URLLIB_REQUEST}\`. Press Send.`,
    'It is HTTP/1.1, yet the server closes after answering: you asked it to, with Connection: close.',
    'The code twin shows the urllib program that does what you just did.',
  ],
  check: checkUrllib,
};
