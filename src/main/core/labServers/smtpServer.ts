/**
 * A toy SMTP-style greeter for the "common ports" tour: it answers like a mail server (220 banner, HELO or
 * EHLO, MAIL FROM, RCPT TO, DATA, QUIT with RFC 5321's reply codes) and throws every message away.
 * It says it is a toy in its banner, so nobody mistakes it for a real mail server.
 */
import net from 'node:net';
import { LIMITS } from '../../../shared/limits';
import type { LineEvent } from './lineReader';
import { closeGently, readCommandLines, startCappedServer, type RunningServer } from './socketTools';

export const MAIL_HOST = 'mail.lab.test';
/** RFC 5321 4.5.3.1.6: a line is at most 1000 bytes, counting its `\r\n`. */
export const SMTP_MAX_LINE_BYTES = 1000;
export const SMTP_MAX_MESSAGE_BYTES = 1024 * 1024;
export const SMTP_MAX_RECIPIENTS = 100;
export const SMTP_IDLE_TIMEOUT_MS = 5 * 60_000;

export const SMTP_BANNER = `220 ${MAIL_HOST} SocketLab toy SMTP server: practice only, mail goes nowhere`;

export interface LabSmtpServerOptions {
  host: string;
  port: number;
  maxConnections?: number;
  idleTimeoutMs?: number;
}

export function startLabSmtpServer(options: LabSmtpServerOptions): Promise<RunningServer> {
  const maxConnections = options.maxConnections ?? LIMITS.labHttpMaxConnections;
  return startCappedServer({
    host: options.host,
    port: options.port,
    maxConnections,
    refusal: `421 ${MAIL_HOST} already has ${maxConnections} connections; try again later\r\n`,
    serve: (socket) => void new SmtpConversation(socket, options.idleTimeoutMs ?? SMTP_IDLE_TIMEOUT_MS),
  });
}

interface MailTransaction {
  sender: string;
  recipients: string[];
}

interface MessageInProgress {
  bytes: number;
  lineTooLong: boolean;
}

const MAIL_FROM = /^MAIL FROM:\s*<([^<>\s]*)>(?:\s+\S.*)?$/i;
const RCPT_TO = /^RCPT TO:\s*<([^<>\s]+)>(?:\s+\S.*)?$/i;

class SmtpConversation {
  readonly #socket: net.Socket;
  #greeted = false;
  #transaction: MailTransaction | undefined;
  #message: MessageInProgress | undefined;
  #done = false;

  constructor(socket: net.Socket, idleTimeoutMs: number) {
    this.#socket = socket;
    socket.setTimeout(idleTimeoutMs, () => this.#finish(`421 ${MAIL_HOST} nothing arrived for a while; closing`));
    readCommandLines(socket, SMTP_MAX_LINE_BYTES, (event) => {
      if (this.#done) return;
      if (this.#message) this.#messageLine(event, this.#message);
      else this.#command(event);
    });
    this.#say(SMTP_BANNER);
  }

  #say(...lines: string[]): void {
    if (!this.#socket.destroyed) this.#socket.write(lines.map((line) => `${line}\r\n`).join(''));
  }

  #finish(lastWords: string): void {
    this.#done = true;
    this.#say(lastWords);
    closeGently(this.#socket);
  }

  #messageLine(event: LineEvent, message: MessageInProgress): void {
    if (event.kind === 'too-long') {
      message.lineTooLong = true;
      return;
    }
    if (event.text === '.') {
      this.#message = undefined;
      this.#transaction = undefined;
      if (message.lineTooLong) {
        this.#say(`500 Line too long: a line of the message was over ${SMTP_MAX_LINE_BYTES} bytes; message refused`);
      } else if (message.bytes > SMTP_MAX_MESSAGE_BYTES) {
        this.#say(`552 The message is over ${SMTP_MAX_MESSAGE_BYTES} bytes; message refused`);
      } else {
        this.#say(`250 OK: ${message.bytes} bytes received and thrown away (a toy: mail goes nowhere)`);
      }
      return;
    }
    // Dot-stuffing: the client doubled every leading dot so a lone "." could mean the end.
    const text = event.text.startsWith('.') ? event.text.slice(1) : event.text;
    message.bytes += text.length + 2;
  }

  #command(event: LineEvent): void {
    if (event.kind === 'too-long') {
      this.#say(`500 Line too long: an SMTP line may be at most ${SMTP_MAX_LINE_BYTES} bytes, counting its \\r\\n`);
      return;
    }
    const line = event.text.trim();
    const verb = (line.split(/\s+/)[0] ?? '').toUpperCase();
    const argument = line.slice(verb.length).trim();
    switch (verb) {
      case 'HELO':
      case 'EHLO':
        if (!argument) {
          this.#say(`501 ${verb} needs your computer's name, like ${verb} laptop`);
          return;
        }
        this.#greeted = true;
        this.#transaction = undefined;
        if (verb === 'HELO') this.#say(`250 ${MAIL_HOST} greets ${argument} (a toy: mail goes nowhere)`);
        else this.#say(`250-${MAIL_HOST} greets ${argument} (a toy: mail goes nowhere)`, '250 HELP');
        return;
      case 'MAIL': {
        if (!this.#greeted) return this.#say('503 Say HELO (or EHLO) first');
        if (this.#transaction) return this.#say('503 There is already a sender; say RSET to start again');
        const sender = MAIL_FROM.exec(line);
        if (!sender) return this.#say('501 Write it as MAIL FROM:<you@example.com>');
        this.#transaction = { sender: sender[1] as string, recipients: [] };
        return this.#say(`250 Sender <${sender[1] as string}> OK`);
      }
      case 'RCPT': {
        if (!this.#transaction) return this.#say('503 Say MAIL FROM first');
        const recipient = RCPT_TO.exec(line);
        if (!recipient) return this.#say('501 Write it as RCPT TO:<friend@example.com>');
        if (this.#transaction.recipients.length >= SMTP_MAX_RECIPIENTS) return this.#say('452 Too many recipients');
        this.#transaction.recipients.push(recipient[1] as string);
        return this.#say(`250 Recipient <${recipient[1] as string}> OK (nothing will be delivered)`);
      }
      case 'DATA':
        if (argument) return this.#say('501 DATA takes nothing after it');
        if (!this.#transaction || this.#transaction.recipients.length === 0) return this.#say('503 Say RCPT TO first');
        this.#message = { bytes: 0, lineTooLong: false };
        return this.#say('354 Type the message, then a line with only a dot (.) to end it');
      case 'RSET':
        this.#transaction = undefined;
        return this.#say('250 OK');
      case 'NOOP':
        return this.#say('250 OK');
      case 'VRFY':
        return this.#say('252 A toy server cannot check who has a mailbox');
      case 'HELP':
        return this.#say('214 Commands: HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT');
      case 'QUIT':
        return this.#finish(`221 ${MAIL_HOST} closing the connection, goodbye`);
      case 'STARTTLS':
      case 'AUTH':
      case 'EXPN':
      case 'TURN':
        return this.#say(`502 ${verb} is not something this toy server does`);
      default:
        return this.#say(`500 Command not recognized: ${verb || '(an empty line)'}`);
    }
  }
}
