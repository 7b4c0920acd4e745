/** Which files a command line names, and the inbox that holds them until the page listens. */
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { filesFromSecondInstance, PageInbox, transcriptPathsIn } from '../../../src/main/electron/openFiles';

const cwd = path.resolve('/home/learner/Downloads');

describe('transcript files on a command line', () => {
  it('takes .socketlab files (any case), made absolute, once each; no switches, no other files', () => {
    const argv = [
      '/opt/Socket Lab/socket-lab',
      '--no-sandbox',
      'lesson.socketlab',
      path.resolve('/tmp/Other.SOCKETLAB'),
      'notes.txt',
      '--inspect=9229',
      '--file=evil.socketlab',
      'lesson.socketlab',
      '.',
    ];
    expect(transcriptPathsIn(argv, cwd)).toEqual([
      path.join(cwd, 'lesson.socketlab'),
      path.resolve('/tmp/Other.SOCKETLAB'),
    ]);
  });

  it('a second launch: its own list when it sent one, else its command line', () => {
    const argv = ['socket-lab', 'from-argv.socketlab'];
    expect(filesFromSecondInstance(argv, cwd, { files: [path.resolve('/a/b.socketlab')] })).toEqual([
      path.resolve('/a/b.socketlab'),
    ]);
    for (const odd of [null, undefined, 'x', { files: 'a.socketlab' }, { files: [1, 2] }]) {
      expect(filesFromSecondInstance(argv, cwd, odd)).toEqual([path.join(cwd, 'from-argv.socketlab')]);
    }
  });
});

describe('the page inbox', () => {
  function contents(id: number) {
    return {
      id,
      destroyed: false,
      isDestroyed() {
        return this.destroyed;
      },
      send: vi.fn(),
    };
  }
  const show = { kind: 'show-session', session: { id: 's1' } } as never;

  it('keeps files until the page listens, drops menu commands meanwhile, then sends at once', () => {
    const inbox = new PageInbox('desktop:command');
    const page = contents(1);
    expect(inbox.deliver(page, show, true)).toBe(false);
    expect(inbox.deliver(page, { kind: 'close-connection' }, false)).toBe(false);
    expect(page.send).not.toHaveBeenCalled();
    inbox.listening(page);
    expect(page.send.mock.calls).toEqual([['desktop:command', show]]);
    expect(inbox.deliver(page, { kind: 'open-file' }, false)).toBe(true);
    expect(page.send).toHaveBeenLastCalledWith('desktop:command', { kind: 'open-file' });
  });

  it('a new page must listen again; a destroyed one gets nothing', () => {
    const inbox = new PageInbox('desktop:command');
    const page = contents(2);
    inbox.listening(page);
    inbox.pageGone(2);
    expect(inbox.deliver(page, show, true)).toBe(false);
    inbox.listening(page);
    expect(page.send).toHaveBeenCalledTimes(1);
    page.destroyed = true;
    expect(inbox.deliver(page, { kind: 'open-file' }, false)).toBe(false);
    inbox.forget(2);
    expect(inbox.isListening(page)).toBe(false);
  });
});
