/**
 * A toy POP-style greeter for the "common ports" tour: a `+OK` banner, USER and PASS (any name and any
 * password), then STAT, LIST, RETR, TOP, UIDL, DELE, RSET, NOOP and QUIT over a small mailbox of sample
 * messages (RFC 1939). Deleting only lasts until the connection ends; the mailbox is the same every time.
 */
import net from 'node:net';
import { LIMITS } from '../../../shared/limits';
import type { LineEvent } from './lineReader';
import { SAMPLE_MAILBOX, type SampleMessage } from './mailbox';
import { MAIL_HOST } from './smtpServer';
import { closeGently, readCommandLines, startCappedServer, type RunningServer } from './socketTools';

/** RFC 2449: a command line is at most 255 octets, counting its `\r\n`. */
export const POP_MAX_LINE_BYTES = 255;
export const POP_IDLE_TIMEOUT_MS = 10 * 60_000;

export const POP_BANNER = `+OK ${MAIL_HOST} SocketLab toy POP3 server: practice only, any name and password work`;

export interface LabPopServerOptions {
  host: string;
  port: number;
  maxConnections?: number;
  idleTimeoutMs?: number;
  mailbox?: readonly SampleMessage[];
}

export function startLabPopServer(options: LabPopServerOptions): Promise<RunningServer> {
  const maxConnections = options.maxConnections ?? LIMITS.labHttpMaxConnections;
  const mailbox = options.mailbox ?? SAMPLE_MAILBOX;
  return startCappedServer({
    host: options.host,
    port: options.port,
    maxConnections,
    refusal: `-ERR ${MAIL_HOST} already has ${maxConnections} connections; try again later\r\n`,
    serve: (socket) => void new PopConversation(socket, mailbox, options.idleTimeoutMs ?? POP_IDLE_TIMEOUT_MS),
  });
}

/** A message as it goes over the wire: lines starting with a dot get one more, then a lone dot ends it. */
export function dotStuffed(bytes: Buffer): string {
  const text = bytes.toString('latin1');
  const ending = text.endsWith('\r\n') || text.length === 0 ? '' : '\r\n';
  return `${text.replace(/^\./gm, '..')}${ending}.\r\n`;
}

class PopConversation {
  readonly #socket: net.Socket;
  readonly #mailbox: readonly SampleMessage[];
  #user: string | undefined;
  #loggedIn = false;
  readonly #deleted = new Set<number>();
  #done = false;

  constructor(socket: net.Socket, mailbox: readonly SampleMessage[], idleTimeoutMs: number) {
    this.#socket = socket;
    this.#mailbox = mailbox;
    socket.setTimeout(idleTimeoutMs, () => this.#finish('-ERR nothing arrived for a while; closing'));
    readCommandLines(socket, POP_MAX_LINE_BYTES, (event) => {
      if (!this.#done) this.#command(event);
    });
    this.#say(POP_BANNER);
  }

  #say(text: string): void {
    if (!this.#socket.destroyed) this.#socket.write(text.endsWith('\r\n') ? text : `${text}\r\n`);
  }

  #finish(lastWords: string): void {
    this.#done = true;
    this.#say(lastWords);
    closeGently(this.#socket);
  }

  /** Message numbers still in the mailbox (1-based), with their sizes. */
  #present(): Array<{ number: number; message: SampleMessage }> {
    return this.#mailbox
      .map((message, index) => ({ number: index + 1, message }))
      .filter((entry) => !this.#deleted.has(entry.number));
  }

  #summary(): string {
    const present = this.#present();
    const octets = present.reduce((sum, entry) => sum + entry.message.bytes.length, 0);
    return `${present.length} messages (${octets} octets)`;
  }

  /** The message a number names, or the -ERR to send. */
  #find(argument: string | undefined): SampleMessage | string {
    if (!argument || !/^\d+$/.test(argument)) return '-ERR Give a message number, like RETR 1';
    const number = Number(argument);
    const message = this.#mailbox[number - 1];
    if (!message || number < 1) return `-ERR There is no message ${argument}; STAT says how many there are`;
    if (this.#deleted.has(number)) return `-ERR Message ${number} is already deleted`;
    return message;
  }

  #command(event: LineEvent): void {
    if (event.kind === 'too-long') {
      this.#say(`-ERR Line too long: a POP command is at most ${POP_MAX_LINE_BYTES} bytes`);
      return;
    }
    const words = event.text.trim().split(/\s+/);
    const keyword = (words[0] ?? '').toUpperCase();
    const [first, second] = [words[1], words[2]];
    if (keyword === 'QUIT') {
      const note = this.#deleted.size > 0 ? ' (a toy: deleted messages come back next time)' : '';
      this.#finish(`+OK ${MAIL_HOST} says goodbye${note}`);
      return;
    }
    if (keyword === 'CAPA') {
      this.#say('+OK What this server can do:\r\nUSER\r\nTOP\r\nUIDL\r\n.');
      return;
    }
    if (keyword === 'NOOP' && this.#loggedIn) return this.#say('+OK');
    if (!this.#loggedIn) return this.#authorization(keyword, event.text.trim().slice(keyword.length).trim());
    switch (keyword) {
      case 'STAT': {
        const present = this.#present();
        const octets = present.reduce((sum, entry) => sum + entry.message.bytes.length, 0);
        return this.#say(`+OK ${present.length} ${octets}`);
      }
      case 'LIST':
        if (first !== undefined) {
          const found = this.#find(first);
          return this.#say(typeof found === 'string' ? found : `+OK ${first} ${found.bytes.length}`);
        }
        return this.#say(
          [`+OK ${this.#summary()}`, ...this.#present().map((e) => `${e.number} ${e.message.bytes.length}`), '.'].join(
            '\r\n',
          ),
        );
      case 'UIDL':
        if (first !== undefined) {
          const found = this.#find(first);
          return this.#say(typeof found === 'string' ? found : `+OK ${first} ${found.uid}`);
        }
        return this.#say(['+OK', ...this.#present().map((e) => `${e.number} ${e.message.uid}`), '.'].join('\r\n'));
      case 'RETR': {
        const found = this.#find(first);
        if (typeof found === 'string') return this.#say(found);
        return this.#say(`+OK ${found.bytes.length} octets\r\n${dotStuffed(found.bytes)}`);
      }
      case 'TOP': {
        const found = this.#find(first);
        if (typeof found === 'string') return this.#say(found);
        if (!second || !/^\d+$/.test(second)) return this.#say('-ERR Give how many body lines, like TOP 1 3');
        return this.#say(
          `+OK Headers and ${second} lines of the body\r\n${dotStuffed(topOf(found.bytes, Number(second)))}`,
        );
      }
      case 'DELE': {
        const found = this.#find(first);
        if (typeof found === 'string') return this.#say(found);
        this.#deleted.add(Number(first));
        return this.#say(`+OK Message ${first} deleted`);
      }
      case 'RSET':
        this.#deleted.clear();
        return this.#say(`+OK Mailbox has ${this.#summary()}`);
      case 'USER':
      case 'PASS':
        return this.#say('-ERR You are already logged in');
      default:
        return this.#say(`-ERR Unknown command: ${keyword || '(an empty line)'}`);
    }
  }

  #authorization(keyword: string, argument: string): void {
    switch (keyword) {
      case 'USER':
        if (!argument) return this.#say('-ERR USER needs a name, like USER learner');
        this.#user = argument;
        return this.#say(`+OK Hello ${argument}, now send PASS (any password works here)`);
      case 'PASS':
        if (this.#user === undefined) return this.#say('-ERR Send USER first');
        this.#loggedIn = true;
        return this.#say(`+OK ${this.#user}'s mailbox has ${this.#summary()}`);
      case 'APOP':
        return this.#say('-ERR APOP is not supported here; use USER and PASS');
      default:
        return this.#say('-ERR Log in first with USER and PASS');
    }
  }
}

/** The headers, the blank line, and the first `lineCount` lines of the body. */
function topOf(bytes: Buffer, lineCount: number): Buffer {
  const text = bytes.toString('latin1');
  const split = text.indexOf('\r\n\r\n');
  if (split === -1) return bytes;
  const headers = text.slice(0, split + 4);
  const bodyLines = text
    .slice(split + 4)
    .split('\r\n')
    .slice(0, -1)
    .slice(0, lineCount);
  return Buffer.from(headers + bodyLines.map((line) => `${line}\r\n`).join(''), 'latin1');
}
