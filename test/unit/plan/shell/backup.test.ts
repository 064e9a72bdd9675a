/** Backup and restore on a node: the generated commands run for real against a temp tree. */
import { describe, expect, it } from 'vitest';
import * as fs from 'node:fs';
import { backupCommand, restoreCommand } from '../../../../src/plan/shell/backup.js';
import { SHELLS, run, runOk, tmp, read, mode } from './helpers.js';

interface Entry {
  type: 'file' | 'dir' | 'link';
  mode: number;
  content?: string;
  mtimeMs?: number;
}

/** Everything under `root` except `skip`, with type, mode, content/link target and file mtime. */
function snapshot(root: string, skip: string): Record<string, Entry> {
  const out: Record<string, Entry> = {};
  const walk = (dir: string): void => {
    for (const name of fs.readdirSync(dir).sort()) {
      const full = dir + '/' + name;
      if (full === skip) continue;
      const st = fs.lstatSync(full);
      const rel = full.slice(root.length);
      if (st.isSymbolicLink()) out[rel] = { type: 'link', mode: 0, content: fs.readlinkSync(full) };
      else if (st.isDirectory()) {
        out[rel] = { type: 'dir', mode: st.mode & 0o7777 };
        walk(full);
      } else out[rel] = { type: 'file', mode: st.mode & 0o7777, content: read(full), mtimeMs: st.mtimeMs };
    }
  };
  walk(root);
  return out;
}

describe('backupCommand / restoreCommand arguments', () => {
  it('rejects /, relative paths and overlap with the backup directory', () => {
    expect(() => backupCommand(['/'], '/b')).toThrow(/cannot back up \//);
    expect(() => backupCommand(['/a'], '/')).toThrow(/must not be \//);
    expect(() => backupCommand(['a'], '/b')).toThrow(/absolute/);
    expect(() => backupCommand(['/opt'], '/opt/backup')).toThrow(/overlaps/);
    expect(() => backupCommand(['/opt/backup/x'], '/opt/backup')).toThrow(/overlaps/);
    expect(() => restoreCommand('backup')).toThrow(/absolute/);
  });
});

for (const shell of SHELLS) {
  describe(`backupCommand / restoreCommand with ${shell}`, () => {
    /** A small Liferay-like tree with awkward names; returns the paths to back up. */
    function makeTree(root: string): string[] {
      fs.mkdirSync(root + '/conf');
      fs.writeFileSync(root + '/conf/portal-ext.properties', 'a=1\n');
      fs.chmodSync(root + '/conf/portal-ext.properties', 0o640);
      fs.mkdirSync(root + '/dir with space');
      fs.writeFileSync(root + `/dir with space/it's "q" $x.txt`, 'quoted\n');
      fs.mkdirSync(root + '/osgi/configs/sub', { recursive: true });
      fs.writeFileSync(root + '/osgi/configs/a.config', 'x="1"\n');
      fs.writeFileSync(root + '/osgi/configs/sub/b.config', 'y="2"\n');
      fs.chmodSync(root + '/osgi/configs/sub', 0o750);
      fs.symlinkSync('a.config', root + '/osgi/configs/link');
      fs.symlinkSync('conf', root + '/current');
      return [
        root + '/current',
        root + '/conf/portal-ext.properties',
        root + `/dir with space/it's "q" $x.txt`,
        root + '/osgi/configs/',
        root + '/new file.txt',
        root + '/newdir',
      ];
    }

    /** Changes every backed-up path, including creating the absent ones. */
    function mutate(root: string): void {
      fs.writeFileSync(root + '/conf/portal-ext.properties', 'a=2\nb=3\n');
      fs.chmodSync(root + '/conf/portal-ext.properties', 0o600);
      fs.rmSync(root + `/dir with space/it's "q" $x.txt`);
      fs.writeFileSync(root + '/osgi/configs/extra.config', 'z\n');
      fs.rmSync(root + '/osgi/configs/sub', { recursive: true });
      fs.rmSync(root + '/osgi/configs/link');
      fs.symlinkSync('elsewhere', root + '/osgi/configs/link');
      fs.writeFileSync(root + '/new file.txt', 'new\n');
      fs.rmSync(root + '/current');
      fs.mkdirSync(root + '/current');
      fs.mkdirSync(root + '/newdir');
      fs.writeFileSync(root + '/newdir/x', 'x\n');
    }

    it('round-trips files, directories, symlinks and absent paths', () => {
      const root = tmp();
      const paths = makeTree(root);
      const backupDir = root + "/backups/run 1 'a'";
      const before = snapshot(root, root + '/backups');

      const backup = runOk(shell, backupCommand(paths, backupDir));
      expect(backup.stdout).toContain('backed up 6 path(s)');
      expect(mode(backupDir)).toBe(0o700);
      expect(read(backupDir + '/manifest')).toBe(
        [
          `present ${root}/current`,
          `present ${root}/conf/portal-ext.properties`,
          `present ${root}/dir with space/it's "q" $x.txt`,
          `present ${root}/osgi/configs`,
          `absent ${root}/new file.txt`,
          `absent ${root}/newdir`,
          '',
        ].join('\n'),
      );
      expect(read(backupDir + '/files' + root + '/conf/portal-ext.properties')).toBe('a=1\n');
      expect(fs.readlinkSync(backupDir + '/files' + root + '/osgi/configs/link')).toBe('a.config');
      expect(fs.readlinkSync(backupDir + '/files' + root + '/current')).toBe('conf');

      mutate(root);
      expect(snapshot(root, root + '/backups')).not.toEqual(before);

      // A resumed run must not overwrite the original state with the modified one.
      const again = runOk(shell, backupCommand(paths, backupDir));
      expect(again.stdout).toContain('already exists');
      expect(read(backupDir + '/files' + root + '/conf/portal-ext.properties')).toBe('a=1\n');

      const restore = runOk(shell, restoreCommand(backupDir));
      expect(restore.stdout).toContain('restored from');
      expect(snapshot(root, root + '/backups')).toEqual(before);
      runOk(shell, restoreCommand(backupDir));
      expect(snapshot(root, root + '/backups')).toEqual(before);
    });

    it('restarts a backup that was interrupted before its manifest was written', () => {
      const root = tmp();
      fs.mkdirSync(root + '/d');
      fs.writeFileSync(root + '/d/f', 'orig\n');
      const backupDir = root + '/bk';
      fs.mkdirSync(backupDir + '/files' + root + '/d/f/stale', { recursive: true });
      fs.writeFileSync(backupDir + '/manifest.tmp', 'present /junk\n');
      runOk(shell, backupCommand([root + '/d'], backupDir));
      expect(read(backupDir + '/manifest')).toBe(`present ${root}/d\n`);
      expect(read(backupDir + '/files' + root + '/d/f')).toBe('orig\n');
      expect(fs.existsSync(backupDir + '/manifest.tmp')).toBe(false);
    });

    it('handles nested paths in either order', () => {
      for (const childFirst of [true, false]) {
        const root = tmp();
        fs.mkdirSync(root + '/d/sub', { recursive: true });
        fs.writeFileSync(root + '/d/f', 'f\n');
        fs.writeFileSync(root + '/d/sub/g', 'g\n');
        const before = snapshot(root, root + '/bk');
        const paths = childFirst ? [root + '/d/sub', root + '/d'] : [root + '/d', root + '/d/sub'];
        runOk(shell, backupCommand(paths, root + '/bk'));
        expect(snapshot(root + '/bk/files' + root, '')).toEqual(before);
        fs.rmSync(root + '/d/sub', { recursive: true });
        fs.writeFileSync(root + '/d/f', 'changed\n');
        runOk(shell, restoreCommand(root + '/bk'));
        expect(snapshot(root, root + '/bk')).toEqual(before);
      }
    });

    it(
      "run-scoped: each run backs up into its own folder, so a second run's rollback restores the " +
        "second run's pre-state",
      () => {
        const root = tmp();
        fs.writeFileSync(root + '/portal-ext.properties', 'v=original\n');
        const paths = [root + '/portal-ext.properties'];
        // run 1 backs up the original, changes it to v=run1, and ends well
        runOk(shell, backupCommand(paths, root + '/bk', true), { LRROLL_RUN_ID: '20261121T2200-aaaaaa' });
        fs.writeFileSync(root + '/portal-ext.properties', 'v=run1\n');
        // run 2 of the same playbook backs up v=run1 (not the original), changes it, then rolls back
        runOk(shell, backupCommand(paths, root + '/bk', true), { LRROLL_RUN_ID: '20261122T2200-bbbbbb' });
        fs.writeFileSync(root + '/portal-ext.properties', 'v=run2\n');
        runOk(shell, restoreCommand(root + '/bk', true), { LRROLL_RUN_ID: '20261122T2200-bbbbbb' });
        expect(read(root + '/portal-ext.properties')).toBe('v=run1\n');
        expect(fs.readdirSync(root + '/bk').sort()).toEqual(['20261121T2200-aaaaaa', '20261122T2200-bbbbbb']);
      },
    );

    it('run-scoped: refuses to run without a plain run id (never backs up into the shared folder)', () => {
      const root = tmp();
      fs.writeFileSync(root + '/f', 'x\n');
      for (const id of ['', '..', '../x', 'a b']) {
        const r = run(shell, backupCommand([root + '/f'], root + '/bk', true), { LRROLL_RUN_ID: id });
        expect(r.status, id).toBe(1);
        expect(r.stderr).toContain('no valid run id in LRROLL_RUN_ID');
        expect(run(shell, restoreCommand(root + '/bk', true), { LRROLL_RUN_ID: id }).status).toBe(1);
      }
      expect(fs.existsSync(root + '/bk')).toBe(false);
    });

    it('fails clearly without a manifest', () => {
      const dir = tmp();
      const result = run(shell, restoreCommand(dir + '/none'));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(`lrroll: no backup manifest at ${dir}/none/manifest`);
    });

    it('reports bad manifest lines and missing copies but restores the rest', () => {
      const root = tmp();
      const backupDir = root + '/bk';
      fs.mkdirSync(backupDir + '/files', { recursive: true });
      fs.writeFileSync(root + '/gone', 'x');
      fs.writeFileSync(backupDir + '/manifest', `bogus line\npresent ${root}/lost\nabsent ${root}/gone`);
      const result = run(shell, restoreCommand(backupDir));
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('unrecognised manifest line: bogus line');
      expect(result.stderr).toContain(`the backup copy of ${root}/lost is missing`);
      // The last line has no newline and must still be processed.
      expect(fs.existsSync(root + '/gone')).toBe(false);
    });
  });
}
