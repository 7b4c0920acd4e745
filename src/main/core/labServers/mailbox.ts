/**
 * The toy POP server's mailbox: a few sample messages of our own. Each is stored with `\r\n` line
 * endings, as it goes over the wire, so its size in octets is simply its length (RFC 1939's count).
 */

export interface SampleMessage {
  /** Stays the same from session to session (UIDL). */
  uid: string;
  bytes: Buffer;
}

function message(uid: string, lines: string[]): SampleMessage {
  return { uid, bytes: Buffer.from(lines.map((line) => `${line}\r\n`).join(''), 'latin1') };
}

export const SAMPLE_MAILBOX: readonly SampleMessage[] = [
  message('lab-0001', [
    'From: Socket Lab <teacher@mail.lab.test>',
    'To: learner@mail.lab.test',
    'Subject: Welcome to the lab mailbox',
    'Date: Fri, 14 Mar 2025 09:00:00 +0000',
    'Message-ID: <lab-0001@mail.lab.test>',
    '',
    'Hello!',
    '',
    'This message came to you over a TCP connection to port 110, the',
    'port a POP server listens on. Your program sent RETR 1 and the server',
    'answered +OK, then the message, then a line with only a dot.',
    '',
    'This server is a toy: it runs on your own computer and its mail is',
    'always the same few messages.',
  ]),
  message('lab-0002', [
    'From: Socket Lab <teacher@mail.lab.test>',
    'To: learner@mail.lab.test',
    'Subject: Ports are like extension numbers',
    'Date: Fri, 14 Mar 2025 09:05:00 +0000',
    'Message-ID: <lab-0002@mail.lab.test>',
    '',
    'One computer can run many servers. The port number says which one',
    'you want: 80 for the web, 25 for sending mail, 110 for reading it.',
  ]),
  message('lab-0003', [
    'From: Socket Lab <teacher@mail.lab.test>',
    'To: learner@mail.lab.test',
    'Subject: Why some lines start with two dots',
    'Date: Fri, 14 Mar 2025 09:10:00 +0000',
    'Message-ID: <lab-0003@mail.lab.test>',
    '',
    'A line with only a dot ends a message in POP and SMTP. So when a line',
    'of the message itself starts with a dot, the server sends one more dot',
    'in front of it, and your program takes it away again. Like these:',
    '.',
    '...and so on.',
    '.hidden-file-name',
  ]),
];
