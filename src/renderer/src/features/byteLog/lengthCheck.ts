/**
 * The HTTP view's verdict on a message's Content-Length: does the body that arrived have as many bytes as the
 * header says? Pure, so the words can be tested without a page.
 */
import type { HttpMessage } from '../../../../shared/http';
import { formatBytes } from '../../lib/eventWords';

export interface LengthCheck {
  /** true: they match; false: they do not; null: nothing to compare yet, or nothing to compare at all. */
  ok: boolean | null;
  words: string;
}

/**
 * `ended`: the sender has closed (FIN). `requestMethod`: the method of the request this answers, when known,
 * because the answer to HEAD carries a Content-Length but no body.
 */
export function lengthCheck(message: HttpMessage, ended: boolean, requestMethod?: string): LengthCheck {
  if (message.contentLength === null) {
    if (message.contentLengthProblem) return { ok: false, words: message.contentLengthProblem };
    if (message.framing === 'until-close') {
      return {
        ok: null,
        words: `No Content-Length: the body runs until the server closes the connection (${formatBytes(message.bodyLength)} so far${ended ? ', and it has closed' : ''}).`,
      };
    }
    if (message.framing === 'chunked') return { ok: null, words: 'Chunked body: each piece says its own size.' };
    return { ok: null, words: 'No Content-Length, and this message has no body.' };
  }
  const declared = message.contentLength;
  // HEAD, 1xx, 204 and 304 answers have no body whatever Content-Length says: it is the size a GET would get.
  if (message.framing === 'none' && message.startLine.kind === 'status') {
    return {
      ok: null,
      words:
        requestMethod === 'HEAD'
          ? `Content-Length: ${declared} — the size of the body a GET would get. This answers a HEAD request, so no body follows.`
          : `Content-Length: ${declared} — but a ${message.startLine.status} answer never has a body, so none follows.`,
    };
  }
  if (message.bodyMissing > 0 && ended) {
    return {
      ok: false,
      words: `Content-Length: ${declared} — but the connection closed after ${message.bodyLength} body bytes: ${message.bodyMissing} never came.`,
    };
  }
  if (message.bodyMissing > 0) {
    return {
      ok: null,
      words: `Content-Length: ${declared} — ${message.bodyLength} body bytes so far; ${message.bodyMissing} still to come.`,
    };
  }
  if (message.bodyLength === declared) {
    return { ok: true, words: `Content-Length: ${declared} — the body has ${message.bodyLength} bytes: they match.` };
  }
  return {
    ok: false,
    words: `Content-Length: ${declared} — but the body has ${message.bodyLength} bytes: they do not match.`,
  };
}
