/** The app icon: PNGs made from build/icon.svg by `npm run icons`, in every size, and not older than the SVG. */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

const build = path.resolve(__dirname, '../../../build');
const SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];

/** Width, height, colour type and the RGBA pixel at (x, y) of an 8-bit RGBA PNG. */
function readPng(file: string) {
  const png = readFileSync(file);
  expect(png.subarray(0, 8).toString('hex'), file).toBe('89504e470d0a1a0a');
  let at = 8;
  let width = 0;
  let height = 0;
  let colourType = -1;
  const data: Buffer[] = [];
  while (at < png.length) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    const body = png.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      colourType = body[9] ?? -1;
    }
    if (type === 'IDAT') data.push(body);
    at += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(data));
  const stride = width * 4 + 1;
  // Undo the PNG row filters to read pixels (RGBA, 8 bits: 4 bytes a pixel).
  const rows: Buffer[] = [];
  for (let y = 0; y < height; y++) {
    const filter = raw[y * stride];
    const row = Buffer.from(raw.subarray(y * stride + 1, (y + 1) * stride));
    const previous = rows[y - 1] ?? Buffer.alloc(row.length);
    for (let i = 0; i < row.length; i++) {
      const left = i >= 4 ? (row[i - 4] ?? 0) : 0;
      const up = previous[i] ?? 0;
      const upLeft = i >= 4 ? (previous[i - 4] ?? 0) : 0;
      const paeth = () => {
        const p = left + up - upLeft;
        const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
      };
      const add = [0, left, up, (left + up) >> 1, paeth()][filter ?? 0] ?? 0;
      row[i] = ((row[i] ?? 0) + add) & 0xff;
    }
    rows.push(row);
  }
  const pixel = (x: number, y: number) => [...(rows[y]?.subarray(x * 4, x * 4 + 4) ?? [])];
  return { width, height, colourType, pixel };
}

describe('the app icon', () => {
  it('is our own SVG, and the PNGs were made from this very SVG', () => {
    const svg = readFileSync(path.join(build, 'icon.svg'));
    expect(svg.toString()).toMatch(/<svg[^>]+viewBox="0 0 1024 1024"/);
    const made = readFileSync(path.join(build, 'icons', 'source.sha256'), 'utf8').trim();
    expect(made, 'build/icon.svg changed: run `npm run icons`').toBe(createHash('sha256').update(svg).digest('hex'));
  });

  it('comes in every size, square, with a transparent corner and the opaque tile inside', () => {
    for (const size of SIZES) {
      const png = readPng(path.join(build, 'icons', `${size}x${size}.png`));
      expect([png.width, png.height, png.colourType], `${size}px`).toEqual([size, size, 6]);
      expect(png.pixel(0, 0)[3], `${size}px corner`).toBe(0);
      const centre = png.pixel(Math.floor(size / 2), Math.floor(size * 0.2));
      expect(centre[3], `${size}px tile`).toBe(255);
    }
    const big = readPng(path.join(build, 'icon.png'));
    expect([big.width, big.height]).toEqual([1024, 1024]);
  });
});
