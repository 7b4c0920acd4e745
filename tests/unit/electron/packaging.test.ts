/**
 * The installers' configuration, checked here without a network: package.json "build" against electron-builder's own
 * JSON schema; then electron-builder itself packs the built app (`--linux dir`) around a stand-in Electron (a file
 * carrying Electron's fuse wire), which shows what an installer would contain and which fuses it flips.
 * Only a machine with a network builds the real installers (`npm run dist`).
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '../../..');
const require = createRequire(__filename);
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  main: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  build: Record<string, unknown> & {
    electronFuses: Record<string, boolean>;
    linux: { target: Array<{ target: string; arch: string[] }>; category: string; icon: string };
    mac: { target: Array<{ target: string; arch: string[] }>; category: string; icon: string };
    win: { target: Array<{ target: string; arch: string[] }>; icon: string };
    fileAssociations: Array<{ ext: string; mimeType: string; name: string }>;
    extraResources: Array<{ from: string; to: string }>;
  };
};

/** @electron/fuses' wire: this sentinel, the wire version (1), its length, then one byte per fuse ('0'/'1'). */
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron's own defaults, in @electron/fuses' FuseV1Options order (the ninth: WASM trap handlers). */
const ELECTRON_DEFAULT_FUSES = '101100011';
const FUSE = {
  runAsNode: 0,
  enableCookieEncryption: 1,
  enableNodeOptionsEnvironmentVariable: 2,
  enableNodeCliInspectArguments: 3,
  enableEmbeddedAsarIntegrityValidation: 4,
  onlyLoadAppFromAsar: 5,
  loadBrowserProcessSpecificV8Snapshot: 6,
  grantFileProtocolExtraPrivileges: 7,
} as const;

/** Every file under `dir`, with its full path. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? listFiles(path.join(dir, entry.name)) : [path.join(dir, entry.name)],
  );
}

describe('package.json "build"', () => {
  it("is valid against electron-builder's own JSON schema (app-builder-lib/scheme.json)", () => {
    const schema = require('app-builder-lib/scheme.json') as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(pkg.build);
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    // The schema catches a misspelt key: proof that it really checks.
    expect(validate({ ...pkg.build, linux: { ...pkg.build.linux, categroy: 'Education' } })).toBe(false);
  });

  it('builds AppImage and deb on Linux, NSIS on Windows, dmg and zip for x64 and arm64 on macOS', () => {
    expect(pkg.build).toMatchObject({ appId: 'org.socketlab.desktop', productName: 'Socket Lab', publish: null });
    expect(pkg.build.linux.target).toEqual([
      { target: 'AppImage', arch: ['x64'] },
      { target: 'deb', arch: ['x64'] },
    ]);
    expect(pkg.build.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(pkg.build.mac.target).toEqual([
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] },
    ]);
    expect(pkg.build.artifactName).toMatch(/\$\{version\}.*\$\{arch\}/);
    expect(pkg.build.linux.category).toBe('Education');
    expect(pkg.build.mac.category).toBe('public.app-category.education');
  });

  it('associates .socketlab with the app, with its MIME type for Linux', () => {
    expect(pkg.build.fileAssociations).toEqual([
      expect.objectContaining({ ext: 'socketlab', mimeType: 'application/vnd.socketlab+json' }),
    ]);
  });

  it('uses our own icon, in the sizes the script makes from build/icon.svg', () => {
    expect(pkg.build.mac.icon).toBe('build/icon.png');
    expect(pkg.build.win.icon).toBe('build/icon.png');
    expect(pkg.build.linux.icon).toBe('build/icons');
    expect(existsSync(path.join(root, pkg.build.mac.icon))).toBe(true);
    expect(existsSync(path.join(root, pkg.build.linux.icon, '512x512.png'))).toBe(true);
  });

  it('sets every fuse the issue asks for', () => {
    expect(pkg.build.electronFuses).toEqual({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
      // Flipping fuses breaks the arm64 binary's ad-hoc signature; an unsigned build must be re-signed ad hoc.
      resetAdHocDarwinSignature: true,
    });
  });
});

describe('what electron-builder packs (--linux dir, around a stand-in Electron)', () => {
  let work: string;
  let appDir: string;
  let asarFiles: string[];
  let builderOutput = '';

  beforeAll(async () => {
    for (const built of ['out/main/index.js', 'out/preload/index.js', 'out/renderer/index.html']) {
      if (!existsSync(path.join(root, built))) throw new Error(`build first (npm run build): ${built} is missing`);
    }
    work = await mkdtemp(path.join(os.tmpdir(), 'socket-lab-pack-'));
    const standIn = path.join(work, 'electron-dist');
    await mkdir(standIn);
    const wire = Buffer.concat([
      Buffer.from('#!/bin/sh\necho "a stand-in for Electron: it only carries the fuse wire"\n'),
      Buffer.from(FUSE_SENTINEL),
      Buffer.from([1, ELECTRON_DEFAULT_FUSES.length]),
      Buffer.from(ELECTRON_DEFAULT_FUSES),
      Buffer.from('\n'),
    ]);
    await writeFile(path.join(standIn, 'electron'), wire, { mode: 0o755 });
    await writeFile(path.join(standIn, 'LICENSE'), 'Electron is MIT licensed.\n');
    const electronVersion = (require('electron/package.json') as { version: string }).version;
    await writeFile(path.join(standIn, 'version'), electronVersion);

    const cli = path.join(root, 'node_modules', 'electron-builder', 'cli.js');
    const args = [
      cli,
      '--linux',
      'dir',
      '--x64',
      '--publish',
      'never',
      `-c.electronDist=${standIn}`,
      `-c.electronVersion=${electronVersion}`,
      `-c.directories.output=${path.join(work, 'dist')}`,
    ];
    const code = await new Promise<number | null>((resolve, reject) => {
      const child = spawn(process.execPath, args, {
        cwd: root,
        env: {
          ...process.env,
          ELECTRON_BUILDER_CACHE: path.join(work, 'cache'),
          CSC_IDENTITY_AUTO_DISCOVERY: 'false',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.on('data', (chunk: Buffer) => (builderOutput += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (builderOutput += chunk.toString()));
      child.on('error', reject);
      child.on('exit', resolve);
    });
    if (code !== 0) throw new Error(`electron-builder --dir failed (${code}):\n${builderOutput}`);
    appDir = path.join(work, 'dist', 'linux-unpacked');
    const asar = require('@electron/asar') as { listPackage(file: string, options: object): string[] };
    asarFiles = asar
      .listPackage(path.join(appDir, 'resources', 'app.asar'), { isPack: false })
      .map((entry) => entry.split(path.sep).join('/'));
  }, 180_000);

  afterAll(async () => {
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('packs the built main, preload and renderer, and package.json', () => {
    for (const file of ['/out/main/index.js', '/out/preload/index.js', '/out/renderer/index.html', '/package.json']) {
      expect(asarFiles, file).toContain(file);
    }
    expect(asarFiles.some((file) => file.startsWith('/out/renderer/assets/') && file.endsWith('.js'))).toBe(true);
    const packed = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { main: string };
    expect(asarFiles).toContain(`/${packed.main.replace(/^\.\//, '')}`);
  });

  it('packs no sources, tests, scripts or build files', () => {
    const outside = asarFiles.filter((file) => !file.startsWith('/node_modules'));
    for (const forbidden of ['/src', '/tests', '/scripts', '/docs', '/build', '/.ci', '/dist', '/electron.vite']) {
      expect(
        outside.filter((file) => file.startsWith(forbidden)),
        forbidden,
      ).toEqual([]);
    }
    expect(outside.filter((file) => /\.(ts|svelte|mts|map)$/.test(file))).toEqual([]);
  });

  it('packs production dependencies only, never a dev dependency', () => {
    const packages = new Set(
      asarFiles
        .filter((file) => file.startsWith('/node_modules/'))
        .map((file) => {
          const parts = file.split('/').slice(2);
          return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
        })
        .filter((name): name is string => name !== undefined && !name.endsWith('/undefined')),
    );
    // The production closure: our dependencies and theirs, as installed.
    const closure = new Set<string>();
    const visit = (name: string) => {
      if (closure.has(name)) return;
      closure.add(name);
      const manifest = path.join(root, 'node_modules', name, 'package.json');
      if (!existsSync(manifest)) return;
      const deps = JSON.parse(readFileSync(manifest, 'utf8')) as {
        dependencies?: Record<string, string>;
        optionalDependencies?: Record<string, string>;
      };
      for (const dep of Object.keys({ ...deps.dependencies, ...deps.optionalDependencies })) visit(dep);
    };
    for (const dep of Object.keys(pkg.dependencies)) visit(dep);
    expect([...packages].filter((name) => !closure.has(name))).toEqual([]);
    for (const dev of Object.keys(pkg.devDependencies)) expect(packages.has(dev), dev).toBe(false);
    for (const dep of Object.keys(pkg.dependencies)) expect(packages.has(dep), dep).toBe(true);
  });

  it("carries the lab's content beside the archive, as resources/lab-content", () => {
    const [resource] = pkg.build.extraResources;
    expect(resource).toEqual({ from: 'src/main/core/labServers/content', to: 'lab-content' });
    const source = readdirSync(path.join(root, 'src/main/core/labServers/content')).sort();
    expect(source).toContain('romeo.txt');
    expect(readdirSync(path.join(appDir, 'resources', 'lab-content')).sort()).toEqual(source);
    expect(readdirSync(path.join(appDir, 'resources')).sort()).toEqual([
      'app.asar',
      'app.asar.unpacked',
      'lab-content',
    ]);
  });

  it("unpacks the journal's native CRC32 beside the archive (a .node cannot load from inside it), and it loads", () => {
    const unpacked = path.join(appDir, 'resources', 'app.asar.unpacked');
    const binaries = listFiles(unpacked).filter((file) => file.endsWith('.node'));
    // The one for the machine that packs: npm installs only that platform's prebuilt binary (musl Linux aside).
    const abi = ({ linux: '-gnu', win32: '-msvc' } as Record<string, string>)[process.platform] ?? '';
    const target = `${process.platform}-${process.arch}${abi}`;
    expect(binaries.map((file) => path.relative(unpacked, file).split(path.sep).join('/'))).toEqual([
      `node_modules/@node-rs/crc32-${target}/crc32.${target}.node`,
    ]);
    // Only the binary is outside the archive; the package's JavaScript that finds it stays inside.
    expect(asarFiles).toContain('/node_modules/@node-rs/crc32/index.js');
    // An N-API module: the same file Node loads here is what Electron's main process loads.
    const native = require(binaries[0]!) as { crc32(data: Uint8Array): number };
    expect(native.crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('flips the fuses in the executable, with @electron/fuses as electron-builder does for a real one', async () => {
    const { getCurrentFuseWire } = require('@electron/fuses') as {
      getCurrentFuseWire(file: string): Promise<Record<number, number>>;
    };
    const fuses = await getCurrentFuseWire(path.join(appDir, 'socket-lab'));
    const state = (index: number) => String.fromCharCode(fuses[index] ?? 0);
    expect(state(FUSE.runAsNode)).toBe('0');
    expect(state(FUSE.enableNodeOptionsEnvironmentVariable)).toBe('0');
    expect(state(FUSE.enableNodeCliInspectArguments)).toBe('0');
    expect(state(FUSE.enableEmbeddedAsarIntegrityValidation)).toBe('1');
    expect(state(FUSE.onlyLoadAppFromAsar)).toBe('1');
    expect(state(FUSE.enableCookieEncryption)).toBe('1');
    expect(state(FUSE.grantFileProtocolExtraPrivileges)).toBe('0');
    // Fuses we do not set keep Electron's defaults.
    expect(state(FUSE.loadBrowserProcessSpecificV8Snapshot)).toBe(ELECTRON_DEFAULT_FUSES[6]);
  });
});
