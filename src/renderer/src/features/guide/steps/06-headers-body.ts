/** Step 6 of the guided lab, Headers, then body: its words and its check. */
import { result, count, allExchanges, httpStep, method, status, type StepCheck } from '../checkHelpers';
import { ROMEO_REQUEST, type GuideStep } from '../guideStep';
import { asksFor } from '../../session/sessionFacts';

/** A number in the learner's words: "167", "167 bytes", "Content-Length: 167". */
export function predictedNumber(text: string): number | null {
  const match = /\d[\d,_]*/.exec(text);
  if (!match) return null;
  const value = Number(match[0].replace(/[,_]/g, ''));
  return Number.isSafeInteger(value) ? value : null;
}

/** Predict romeo.txt's Content-Length, then ask for it: the whole body arrives, as long as it said. */
export function makeHeadersBodyCheck(stepId: string): StepCheck {
  return httpStep((events, context) => {
    const prediction = context.predictions[stepId];
    const predicted = prediction ? predictedNumber(prediction.text) : null;
    const romeo = allExchanges(events, context).filter(
      ({ exchange }) =>
        asksFor(exchange.request, 'romeo.txt') &&
        method(exchange.request) === 'GET' &&
        status(exchange.response) === 200 &&
        exchange.response?.contentLength !== null &&
        exchange.responseComplete,
    );
    const after = prediction
      ? romeo.find(({ exchange }) => (exchange.responseIndex ?? -1) >= prediction.fromEvent)
      : undefined;
    const parts = [
      { label: 'Predicted the Content-Length of romeo.txt', done: predicted !== null },
      { label: 'Got romeo.txt: headers, the blank line, and the whole body', done: after !== undefined },
    ];
    let detail = '';
    const response = after?.exchange.response;
    if (response && predicted !== null) {
      const length = response.contentLength as number;
      detail =
        (predicted === length
          ? `You predicted ${predicted}: right. `
          : `You predicted ${predicted}; the server said Content-Length: ${length}. `) +
        `The body starts at byte ${response.bodyStart - response.start} of the answer, right after \\r\\n\\r\\n, and its ${count(length, 'byte')} match Content-Length.`;
    }
    const pending =
      predicted === null
        ? prediction
          ? 'Your prediction should be a number of bytes, like 120.'
          : 'Type your prediction first: how many bytes long is romeo.txt?'
        : 'Prediction saved. Now ask for romeo.txt: only an answer that comes after your prediction counts.';
    return result(parts, detail, pending);
  });
}

export const headersBodyStep: GuideStep<'headers-body'> = {
  id: 'headers-body',
  number: 6,
  title: 'Headers, then body',
  explain: [
    'The empty line cuts every HTTP message in two: above it the headers, lines of `Name: value` about the message; below it the body. In bytes, the end of the last header line and the empty line together are `\\r\\n\\r\\n`. A program looks for exactly those four bytes to find where the body starts.',
    'One header, `Content-Length`, says how many bytes of body follow, so the receiver knows when it has all of it.',
  ],
  code: [
    {
      caption: 'romeo.txt: four lines of a play, each ending with a newline (one byte, \\n)',
      text: 'But soft what light through yonder window breaks\nIt is the east and Juliet is the sun\nArise fair sun and kill the envious moon\nWho is already sick and pale with grief\n',
    },
  ],
  prediction: {
    question:
      'Before you send: how many bytes long is romeo.txt (above)? Count the characters of each line, plus one for its newline. What will Content-Length say?',
    label: 'Your prediction of the Content-Length',
    placeholder: 'A number of bytes',
  },
  task: () => [
    'In the box above ("Before you send"), type your prediction (a number) and press Save prediction.',
    `Connect to \`data.pr4e.org\` port \`80\` and send \`${ROMEO_REQUEST}\`: the request the book’s socket1.py sends (the template "socket1.py: GET romeo.txt").`,
    'In the log, find `Content-Length` and the four bytes CR LF CR LF that end the headers. The HTTP view counts the body for you.',
  ],
  check: makeHeadersBodyCheck('headers-body'),
};
