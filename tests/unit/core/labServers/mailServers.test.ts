/** The SMTP-style and POP-style toy greeters, driven by Python's smtplib and poplib and by hand. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_MAILBOX } from '../../../../src/main/core/labServers/mailbox';
import { dotStuffed } from '../../../../src/main/core/labServers/popServer';
import { RawClient, runPython, startTestLab, type TestLab } from './helpers';

let lab: TestLab;

beforeAll(async () => {
  lab = await startTestLab();
});

afterAll(async () => {
  await lab.servers.stop();
});

/** Sends each line and waits for a reply line that starts with a status code, as a person at nc would. */
async function dialog(port: number, lines: string[]): Promise<string[]> {
  const client = await RawClient.connect(port);
  try {
    const seen = (): string[] => client.text.split('\r\n').filter((line) => line.length > 0);
    await client.waitFor(() => seen().length >= 1, 5_000, 'the banner');
    for (const line of lines) {
      const before = seen().length;
      client.send(`${line}\r\n`);
      await client.waitFor(
        () => {
          const now = seen();
          return now.length > before && /^(\d{3} |[+-])/.test(now[now.length - 1] ?? '');
        },
        5_000,
        `the reply to ${line}`,
      );
    }
    return seen();
  } finally {
    client.close();
  }
}

describe('the SMTP-style greeter', () => {
  it('takes a message from smtplib and says where it went (nowhere)', async () => {
    const script = `
import smtplib, sys, json
from email.message import EmailMessage
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=5)
code, ehlo = s.ehlo('laptop')
msg = EmailMessage()
msg['From'] = 'learner@mail.lab.test'
msg['To'] = 'friend@mail.lab.test'
msg['Subject'] = 'Hello from Python'
msg.set_content('.a line that starts with a dot\\nand a normal one\\n')
refused = s.send_message(msg)
noop = s.noop()
quit = s.quit()
print(json.dumps({'ehloCode': code, 'ehlo': ehlo.decode(), 'refused': refused, 'noop': noop[0], 'quit': [quit[0], quit[1].decode()]}))
`;
    const result = JSON.parse((await runPython(script, [lab.port('smtp')])).stdout.toString()) as Record<
      string,
      unknown
    >;
    expect(result).toEqual({
      ehloCode: 250,
      ehlo: 'mail.lab.test greets laptop (a toy: mail goes nowhere)\nHELP',
      refused: {},
      noop: 250,
      quit: [221, 'mail.lab.test closing the connection, goodbye'],
    });
  });

  it('has a banner that says it is a toy, and the RFC 5321 reply codes by hand', async () => {
    const lines = await dialog(lab.port('smtp'), [
      'MAIL FROM:<learner@mail.lab.test>',
      'HELO laptop',
      'RCPT TO:<friend@mail.lab.test>',
      'DATA',
      'MAIL FROM:<learner@mail.lab.test>',
      'MAIL FROM:<again@mail.lab.test>',
      'DATA',
      'RCPT TO:<friend@mail.lab.test>',
      'DATA',
      'Subject: hi\r\n\r\n..dot\r\nbody\r\n.',
      'BOGUS',
      'QUIT',
    ]);
    expect(lines).toEqual([
      '220 mail.lab.test SocketLab toy SMTP server: practice only, mail goes nowhere',
      '503 Say HELO (or EHLO) first',
      '250 mail.lab.test greets laptop (a toy: mail goes nowhere)',
      '503 Say MAIL FROM first',
      '503 Say RCPT TO first',
      '250 Sender <learner@mail.lab.test> OK',
      '503 There is already a sender; say RSET to start again',
      '503 Say RCPT TO first',
      '250 Recipient <friend@mail.lab.test> OK (nothing will be delivered)',
      '354 Type the message, then a line with only a dot (.) to end it',
      // "Subject: hi" (11) + "" (0) + ".dot" (4) + "body" (4), each with \r\n
      '250 OK: 27 bytes received and thrown away (a toy: mail goes nowhere)',
      '500 Command not recognized: BOGUS',
      '221 mail.lab.test closing the connection, goodbye',
    ]);
  });

  it('refuses lines over 1000 bytes with 500, in commands and in a message, and takes 1000 exactly', async () => {
    const script = `
import smtplib, sys, json
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=5)
s.ehlo('laptop')
long_command = s.docmd('NOOP', 'x' * 1200)
fits = s.docmd('NOOP', 'x' * (1000 - len('NOOP ') - 2))
over = s.docmd('NOOP', 'x' * (1001 - len('NOOP ') - 2))
try:
    s.sendmail('learner@mail.lab.test', ['friend@mail.lab.test'], 'Subject: long\\r\\n\\r\\n' + 'y' * 1500 + '\\r\\n')
    data = 'accepted'
except smtplib.SMTPDataError as e:
    data = [e.smtp_code, e.smtp_error.decode()]
after = s.noop()
s.quit()
print(json.dumps({'long': long_command[0], 'fits': fits[0], 'over': over[0], 'data': data, 'after': after[0]}))
`;
    const result = JSON.parse((await runPython(script, [lab.port('smtp')])).stdout.toString()) as Record<
      string,
      unknown
    >;
    expect(result).toEqual({
      long: 500,
      fits: 250,
      over: 500,
      data: [500, 'Line too long: a line of the message was over 1000 bytes; message refused'],
      after: 250,
    });
  });
});

describe('the POP-style greeter', () => {
  it('serves its sample mailbox to poplib with the right octet counts and dot-stuffing undone', async () => {
    const script = `
import poplib, sys, json
p = poplib.POP3('127.0.0.1', int(sys.argv[1]), timeout=5)
welcome = p.getwelcome().decode()
p.user('learner')
p.pass_('anything')
count, size = p.stat()
listing = p.list()
messages = []
for i in range(1, count + 1):
    resp, lines, octets = p.retr(i)
    messages.append({'resp': resp.decode(), 'octets': octets, 'text': '\\r\\n'.join(l.decode('latin-1') for l in lines) + '\\r\\n'})
top = p.top(3, 1)
uidl = p.uidl()
dele = p.dele(2)
after = p.stat()
try:
    p.retr(2)
    deleted = 'still there'
except poplib.error_proto as e:
    deleted = e.args[0].decode()
rset = p.rset().decode()
bye = p.quit().decode()
print(json.dumps({'welcome': welcome, 'stat': [count, size], 'list': [l.decode() for l in listing[1]],
  'messages': messages, 'top': [l.decode() for l in top[1]], 'uidl': [l.decode() for l in uidl[1]],
  'after': list(after), 'deleted': deleted, 'rset': rset, 'bye': bye}))
`;
    const result = JSON.parse((await runPython(script, [lab.port('pop')])).stdout.toString()) as {
      welcome: string;
      stat: [number, number];
      list: string[];
      messages: Array<{ resp: string; octets: number; text: string }>;
      top: string[];
      uidl: string[];
      after: [number, number];
      deleted: string;
      rset: string;
      bye: string;
    };
    const sizes = SAMPLE_MAILBOX.map((message) => message.bytes.length);
    const total = sizes.reduce((sum, size) => sum + size, 0);
    expect(result.welcome).toBe(
      '+OK mail.lab.test SocketLab toy POP3 server: practice only, any name and password work',
    );
    expect(result.stat).toEqual([3, total]);
    expect(result.list).toEqual(sizes.map((size, index) => `${index + 1} ${size}`));
    expect(result.messages).toEqual(
      SAMPLE_MAILBOX.map((message) => ({
        resp: `+OK ${message.bytes.length} octets`,
        octets: message.bytes.length,
        text: message.bytes.toString('latin1'),
      })),
    );
    // The third message really has lines that start with a dot, so stuffing was exercised.
    expect(result.messages[2]?.text).toContain('\r\n.\r\n...and so on.\r\n.hidden-file-name\r\n');
    expect(result.top.slice(-2)).toEqual(['', 'A line with only a dot ends a message in POP and SMTP. So when a line']);
    expect(result.uidl).toEqual(['1 lab-0001', '2 lab-0002', '3 lab-0003']);
    expect(result.after).toEqual([2, total - (sizes[1] ?? 0)]);
    expect(result.deleted).toBe('-ERR Message 2 is already deleted');
    expect(result.rset).toBe(`+OK Mailbox has 3 messages (${total} octets)`);
    expect(result.bye).toBe('+OK mail.lab.test says goodbye');
  });

  it('sends a message dot-stuffed on the wire, ending with a lone dot', async () => {
    const message = SAMPLE_MAILBOX[2];
    if (!message) throw new Error('no third message');
    const client = await RawClient.connect(lab.port('pop'));
    try {
      await client.waitFor((c) => c.text.includes('\r\n'));
      client.send('USER learner\r\nPASS lab\r\nRETR 3\r\n');
      await client.waitFor((c) => c.text.endsWith('\r\n.\r\n'));
      const retr = client.text.slice(client.text.indexOf(`+OK ${message.bytes.length} octets\r\n`));
      const expected = `+OK ${message.bytes.length} octets\r\n${dotStuffed(message.bytes)}`;
      expect(retr).toBe(expected);
      expect(expected).toContain('\r\n..\r\n....and so on.\r\n..hidden-file-name\r\n.\r\n');
    } finally {
      client.close();
    }
  });

  it('asks for a login first, and answers wrong commands with -ERR', async () => {
    const lines = await dialog(lab.port('pop'), [
      'STAT',
      'PASS x',
      'USER learner',
      'PASS x',
      'RETR 9',
      'RETR',
      'FOO',
      'QUIT',
    ]);
    expect(lines).toEqual([
      '+OK mail.lab.test SocketLab toy POP3 server: practice only, any name and password work',
      '-ERR Log in first with USER and PASS',
      '-ERR Send USER first',
      '+OK Hello learner, now send PASS (any password works here)',
      expect.stringMatching(/^\+OK learner's mailbox has 3 messages \(\d+ octets\)$/),
      '-ERR There is no message 9; STAT says how many there are',
      '-ERR Give a message number, like RETR 1',
      '-ERR Unknown command: FOO',
      '+OK mail.lab.test says goodbye',
    ]);
  });
});

/**
 * A client that sends `line` over and over and never reads a reply. Gives back how many bytes the server took
 * before it stopped reading (or `limit`, if it never did).
 */
async function bytesTakenByServer(port: number, line: string, limit: number): Promise<number> {
  const socket = net.connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise((resolve) => socket.once('connect', resolve));
  socket.pause();
  const chunk = Buffer.from(line.repeat(Math.ceil(65_536 / line.length)), 'latin1');
  let written = 0;
  try {
    while (written < limit) {
      written += chunk.length;
      if (socket.write(chunk)) continue;
      const drained = await new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 1_000);
        socket.once('drain', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      if (!drained) break;
    }
    return Math.min(limit, written - socket.writableLength);
  } finally {
    socket.destroy();
  }
}

describe('a client that sends commands and never reads the replies', () => {
  // Each command is answered with about as many bytes as it has (the greeters repeat the name given), so a
  // server that kept reading would keep every reply in memory. Loopback's buffers hold a few MB each way.
  const limit = 32 * 1024 * 1024;

  it('makes the SMTP-style greeter stop reading, instead of queueing replies without end', async () => {
    const taken = await bytesTakenByServer(lab.port('smtp'), `EHLO ${'x'.repeat(900)}\r\n`, limit);
    expect(taken).toBeLessThan(limit / 2);
    expect(await dialog(lab.port('smtp'), ['QUIT'])).toContain('221 mail.lab.test closing the connection, goodbye');
  });

  it('makes the POP-style greeter stop reading, instead of queueing replies without end', async () => {
    const taken = await bytesTakenByServer(lab.port('pop'), `USER ${'x'.repeat(240)}\r\n`, limit);
    expect(taken).toBeLessThan(limit / 2);
    expect((await dialog(lab.port('pop'), ['QUIT'])).at(-1)).toMatch(/^\+OK/);
  });
});

describe('the echo server', () => {
  it('sends back every byte, in order, and closes after the client half-closes', async () => {
    const client = await RawClient.connect(lab.port('echo'));
    try {
      const bytes = Buffer.from(Array.from({ length: 300_000 }, (_, index) => (index * 7) % 256));
      client.send(bytes);
      client.socket.end();
      const back = await client.readToEnd(10_000);
      expect(back.equals(bytes)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('echoes a line typed by hand at once', async () => {
    const script = `
import socket, sys
s = socket.create_connection(('127.0.0.1', int(sys.argv[1])))
s.sendall('héllo, pipe\\r\\n'.encode())
got = b''
while not got.endswith(b'\\r\\n'):
    got += s.recv(512)
s.close()
sys.stdout.buffer.write(got)
`;
    expect((await runPython(script, [lab.port('echo')])).stdout.toString('utf8')).toBe('héllo, pipe\r\n');
  });
});
