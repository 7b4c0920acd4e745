/** Step 4 of the guided lab, Speak HTTP: its words and its check. */
import { result, count, allExchanges, httpStep, requestVersion, method, status, type StepCheck } from '../checkHelpers';
import { PAGE1_REQUEST, type GuideStep } from '../guideStep';
import type { HttpMessage } from '../../../../../shared/http';

export interface PredictionComparison {
  matches: boolean;
  words: string;
}

/** The learner's predicted status line against the real one: exact (ignoring case and extra spaces), or close. */
export function compareStatusLine(predicted: string, actual: HttpMessage): PredictionComparison {
  const norm = (text: string): string => text.trim().replace(/\s+/g, ' ').toLowerCase();
  const line = actual.startLineText;
  if (norm(predicted) === norm(line))
    return { matches: true, words: `You predicted "${predicted.trim()}": exactly right.` };
  const code = status(actual);
  const codeRight = code !== null && new RegExp(`\\b${code}\\b`).test(predicted);
  return {
    matches: false,
    words: codeRight
      ? `You predicted "${predicted.trim()}"; the server said "${line}". The status code ${code} is right.`
      : `You predicted "${predicted.trim()}"; the server said "${line}".`,
  };
}

/** Predict the status line; then a GET with a version and a blank line, answered with status line and headers. */
export function makeSpeakHttpCheck(stepId: string): StepCheck {
  return httpStep((events, context) => {
    const prediction = context.predictions[stepId];
    const predicted = prediction !== undefined && prediction.text.trim() !== '';
    const from = prediction?.fromEvent ?? Infinity;
    const gets = allExchanges(events, context).filter(
      ({ exchange }) => method(exchange.request) === 'GET' && requestVersion(exchange.request) !== null,
    );
    const sentAfter = gets.filter(({ exchange }) => (exchange.requestIndex ?? -1) >= from);
    const answered = gets.find(
      ({ exchange }) => exchange.response?.headersComplete === true && (exchange.responseIndex ?? -1) >= from,
    );
    const parts = [
      { label: 'Predicted the first line of the answer', done: predicted },
      { label: 'Then sent a GET request, ending with a blank line', done: predicted && sentAfter.length > 0 },
      { label: 'Got a status line, headers and the blank line back', done: predicted && answered !== undefined },
    ];
    const response = answered?.exchange.response;
    const detail =
      response && prediction && answered
        ? `${compareStatusLine(prediction.text, response).words} Then came ${count(response.headers.length, 'header line')}, the blank line, and ${count(response.contentLength ?? response.bodyLength, 'byte')} of body.${versionNote(answered.exchange.request, response)}`
        : '';
    const pending = !predicted
      ? 'Type your prediction first, then send the request.'
      : sentAfter.length === 0
        ? 'Prediction saved. Now send the request: only an answer that comes after your prediction counts.'
        : 'Waiting for the answer.';
    return result(parts, detail, pending);
  });
}

/** Why an HTTP/1.0 request is answered `HTTP/1.1 200 OK`, said where the learner first sees it. */
export function versionNote(request: HttpMessage, response: HttpMessage): string {
  const asked = requestVersion(request);
  const said = response.startLine.kind === 'status' ? response.startLine.version : null;
  if (!asked || !said || asked === said) return '';
  return ` You asked in ${asked} and the server said ${said}: a server names the highest version it speaks, and still answers in a way a ${asked} client understands.`;
}

export const speakHttpStep: GuideStep<'speak-http'> = {
  id: 'speak-http',
  number: 4,
  title: 'Speak HTTP',
  explain: [
    'HTTP is a protocol: an agreement about what each side says over the pipe. The client speaks first, with a request line: a method (`GET`), what it wants, and the version (`HTTP/1.0`), ending with `\\r\\n` (carriage return, then line feed). Header lines may follow. Then comes one empty line, which says "that is the whole request".',
    'The server answers with a status line (its version, a three-digit code and a few words), its own header lines, an empty line, and then the body: the file itself.',
  ],
  prediction: {
    question: 'Before you send: what will the first line of the answer say?',
    label: 'Your prediction of the status line',
    placeholder: 'The first line you expect back',
  },
  task: () => [
    'In the box above ("Before you send"), type your prediction and press Save prediction.',
    'Connect to `data.pr4e.org` port `80`. On the lab route (the default) the lab’s own web server answers for it: no network needed.',
    `Type the request the slides type into telnet: \`${PAGE1_REQUEST}\`. Press Send.`,
    'In the byte log, find the status line, the headers, the empty line and the body.',
  ],
  check: makeSpeakHttpCheck('speak-http'),
};
