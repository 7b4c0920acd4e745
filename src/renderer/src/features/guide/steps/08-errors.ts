/** Step 8 of the guided lab, When things go wrong: its words and its check. */
import { result, connectionsFrom, allExchanges, status, type StepCheck } from '../checkHelpers';
import type { GuideStep } from '../guideStep';

/** What can go wrong, and which of it the learner has seen: a 404 and a refusal are required. */
export const checkWhenThingsGoWrong: StepCheck = (events, context) => {
  const connections = connectionsFrom(events, context);
  const statuses = new Set(
    allExchanges(events, context)
      .map(({ exchange }) => status(exchange.response))
      .filter((code): code is number => code !== null),
  );
  // A 400 or 408 can also come without a full request of ours (a broken request line, or waiting too long).
  for (const conn of connections) {
    const first = conn.got.http(conn.peerEndedIndex !== null).messages[0];
    const code = first ? status(first) : null;
    if (code !== null) statuses.add(code);
  }
  const errors = new Set(connections.map((conn) => conn.error?.code).filter((code) => code !== undefined));
  const seen = {
    notFound: statuses.has(404),
    refused: errors.has('ECONNREFUSED'),
    badRequest: statuses.has(400),
    unknownHost: errors.has('ENOTFOUND') || errors.has('EAI_AGAIN'),
    timeout: errors.has('ETIMEDOUT') || statuses.has(408),
  };
  const parts = [
    { label: 'A 404: the server is there, the file is not', done: seen.notFound },
    { label: 'Refused: no program on that port', done: seen.refused },
  ];
  const extras = [
    seen.badRequest ? 'a 400 (the server could not read the request)' : null,
    seen.unknownHost ? 'an unknown host (no address for the name)' : null,
    seen.timeout ? 'a timeout' : null,
  ].filter((words): words is string => words !== null);
  const also = extras.length > 0 ? ` You also met ${extras.join(', ')}.` : '';
  return result(
    parts,
    `You saw a 404, where the conversation worked but the answer is "no such file", and a refusal, where there was no conversation at all.${also}`,
    `${parts.filter((part) => part.done).length} of 2 done.${also}`,
  );
};

export const errorsStep: GuideStep<'errors'> = {
  id: 'errors',
  number: 8,
  title: 'When things go wrong',
  explain: [
    '404 Not Found: the conversation worked. The server is there and understood you; it has no such file.',
    '400 Bad Request: the server could not make sense of the request, for example a version written `http/1.0` or a missing part.',
    'Connection refused: the computer answered, but no program listens on that port. Nothing was said at all.',
    'Unknown host: the name could not be turned into an address, because DNS, the internet’s directory of names, has no entry for it (or cannot be reached).',
    'Timeout: no answer at all in time. The computer may be off, or a firewall may be dropping the connection without a word.',
  ],
  task: () => [
    'Connect to `data.pr4e.org` port `80`, pick the template "A page that does not exist (404)" and Send. Read the status line and the short body.',
    'Connect to `127.0.0.1` port `1`, where no program listens, and read the explanation of the refusal.',
    'If you like: send `GET /romeo.txt http/1.0\\r\\n\\r\\n` (the version in small letters) for a 400.',
  ],
  check: checkWhenThingsGoWrong,
};
