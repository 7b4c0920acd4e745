/**
 * The files the lab HTTP server hands out, at the paths chapter 12 uses. They are read once from a folder
 * into memory, so a request path is only ever a key in a table and never becomes a path on disk.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export interface LabFile {
  /** The path a learner asks for: `/romeo.txt`. */
  urlPath: string;
  bytes: Buffer;
  contentType: string;
  lastModified: Date;
  /** Strong validator in Apache's shape: `"<length in hex>-<hash>"`. */
  etag: string;
  /** A `Vary` header, where the book's reply for this file has one. */
  vary?: string;
}

export interface LabContent {
  /** By URL path; `/` and `/index.html` both name the index page. */
  files: ReadonlyMap<string, LabFile>;
  /** The paths worth showing a learner, in the chapter's order. */
  listing: readonly string[];
}

interface CatalogEntry {
  urlPaths: string[];
  file: string;
  contentType: string;
  /** Fixed dates, so the headers a learner reads off stay the same from run to run and machine to machine. */
  lastModified: string;
  vary?: string;
}

// Content-Type without a charset, as the chapter's server sends them; every text file here is plain ASCII.
// One table for every host the lab stands in for: www.dr-chuck.com/page1.htm is page1.htm, and www.py4e.com's
// /cover.jpg and /code3/ sit beside data.pr4e.org's files, so the lab's own address reaches them all too.
const CATALOG: readonly CatalogEntry[] = [
  {
    urlPaths: ['/romeo.txt', '/code3/romeo.txt'],
    file: 'romeo.txt',
    contentType: 'text/plain',
    lastModified: '2025-03-14T09:26:53Z',
  },
  {
    urlPaths: ['/romeo-full.txt', '/code3/romeo-full.txt'],
    file: 'romeo-full.txt',
    contentType: 'text/plain',
    lastModified: '2025-03-14T09:28:19Z',
  },
  {
    urlPaths: ['/intro-short.txt'],
    file: 'intro-short.txt',
    contentType: 'text/plain',
    lastModified: '2025-03-14T09:31:07Z',
  },
  { urlPaths: ['/page1.htm'], file: 'page1.htm', contentType: 'text/html', lastModified: '2025-03-14T09:40:12Z' },
  { urlPaths: ['/page2.htm'], file: 'page2.htm', contentType: 'text/html', lastModified: '2025-03-14T09:41:45Z' },
  { urlPaths: ['/links.htm'], file: 'links.htm', contentType: 'text/html', lastModified: '2025-03-14T09:47:30Z' },
  {
    urlPaths: ['/cover3.jpg', '/cover.jpg'],
    file: 'cover3.jpg',
    contentType: 'image/jpeg',
    lastModified: '2025-03-14T10:02:31Z',
    // The book's reply for the picture carries it; with it the head is the book's 393 bytes.
    vary: 'Accept-Encoding',
  },
  {
    urlPaths: ['/code3/words.txt'],
    file: 'words.txt',
    contentType: 'text/plain',
    lastModified: '2025-03-14T10:05:48Z',
  },
  {
    urlPaths: ['/code3/', '/code3'],
    file: 'code3.htm',
    contentType: 'text/html',
    lastModified: '2025-03-14T10:06:02Z',
  },
  {
    urlPaths: ['/', '/index.html'],
    file: 'index.html',
    contentType: 'text/html',
    lastModified: '2025-03-14T10:15:00Z',
  },
];

/** The files a learner can ask for, in the chapter's order. */
export const LAB_FILE_PATHS: readonly string[] = [
  '/romeo.txt',
  '/romeo-full.txt',
  '/intro-short.txt',
  '/page1.htm',
  '/page2.htm',
  '/links.htm',
  '/cover3.jpg',
  '/cover.jpg',
  '/code3/',
];

/** Apache's shape of strong validator: the length in hex, then a hash of the bytes. */
export function etagFor(bytes: Uint8Array): string {
  const hash = createHash('sha1').update(bytes).digest('hex').slice(0, 13);
  return `"${bytes.length.toString(16)}-${hash}"`;
}

const CONTENT_SUBDIR = ['src', 'main', 'core', 'labServers', 'content'];

/**
 * Where the lab's files are when nobody says. Looked for beside this file (the source, or a bundle with
 * `content/` copied next to it), then in the source tree seen from each folder above it (the bundle lives in
 * out/main or out/main/chunks), then from the working folder. The first folder holding romeo.txt wins.
 */
export function defaultContentDir(
  here: string | undefined = typeof __dirname === 'string' ? __dirname : undefined,
  cwd: string = process.cwd(),
): string {
  const candidates: string[] = [];
  if (here) {
    candidates.push(path.join(here, 'content'));
    for (let dir = here, level = 0; level < 5; dir = path.dirname(dir), level += 1) {
      candidates.push(path.join(dir, ...CONTENT_SUBDIR));
    }
  }
  candidates.push(path.resolve(cwd, ...CONTENT_SUBDIR));
  const found = candidates.find((dir) => existsSync(path.join(dir, 'romeo.txt')));
  return found ?? (candidates[0] as string);
}

export async function loadLabContent(contentDir: string): Promise<LabContent> {
  const files = new Map<string, LabFile>();
  for (const entry of CATALOG) {
    const fullPath = path.join(contentDir, entry.file);
    let bytes: Buffer;
    try {
      bytes = await readFile(fullPath);
    } catch (error) {
      const reason = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new Error(`The lab server's file ${entry.file} could not be read from ${contentDir} (${reason}).`);
    }
    const etag = etagFor(bytes);
    for (const urlPath of entry.urlPaths) {
      const file: LabFile = {
        urlPath,
        bytes,
        contentType: entry.contentType,
        lastModified: new Date(entry.lastModified),
        etag,
      };
      if (entry.vary) file.vary = entry.vary;
      files.set(urlPath, file);
    }
  }
  return { files, listing: LAB_FILE_PATHS };
}
