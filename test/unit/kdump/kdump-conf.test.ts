import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/errors.js';
import { parseKdumpConf, splitConfLine } from '../../../src/config/kdump-conf.js';

const lines = (...l: string[]): string => l.join('\n');

describe('kdump.conf lines (kdump_get_conf_val)', () => {
  it('splits directive and value, cuts trailing comments and one pair of quotes', () => {
    expect(splitConfLine('  path /var/crash   # where')).toEqual({ opt: 'path', val: '/var/crash' });
    expect(splitConfLine('core_collector "makedumpfile -c -d 31"')).toEqual({ opt: 'core_collector', val: 'makedumpfile -c -d 31' });
    expect(splitConfLine('# path /x')).toBeNull();
    expect(splitConfLine('   ')).toBeNull();
  });
});

describe('parseKdumpConf', () => {
  it('reads every supported directive with its file:line', () => {
    const r = parseKdumpConf(
      lines(
        '# comment',
        'ext4 UUID=0a1b2c3d-1111-2222-3333-444455556666',
        'path /crash',
        'core_collector makedumpfile -c --message-level 1 -d 17',
        'failure_action poweroff',
        'final_action halt',
        'kdump_pre /usr/local/bin/pre --fast',
        'kdump_post /usr/local/bin/post',
        'sshkey /root/.ssh/other',
      ),
      '/etc/kdump.conf',
    );
    expect(r.diagnostics).toEqual([]);
    expect(r.value.target).toEqual({
      value: { kind: 'local', fstype: 'ext4', device: 'UUID=0a1b2c3d-1111-2222-3333-444455556666' },
      from: '/etc/kdump.conf:2',
    });
    expect(r.value.path).toEqual({ value: '/crash', from: '/etc/kdump.conf:3' });
    expect(r.value.coreCollector).toEqual({ value: ['makedumpfile', '-c', '--message-level', '1', '-d', '17'], from: '/etc/kdump.conf:4' });
    expect(r.value.failureAction).toEqual({ value: 'poweroff', from: '/etc/kdump.conf:5' });
    expect(r.value.finalAction).toEqual({ value: 'halt', from: '/etc/kdump.conf:6' });
    expect(r.value.kdumpPre).toEqual({ value: ['/usr/local/bin/pre', '--fast'], from: '/etc/kdump.conf:7' });
    expect(r.value.kdumpPost?.value).toEqual(['/usr/local/bin/post']);
    expect(r.value.sshkey).toEqual({ value: '/root/.ssh/other', from: '/etc/kdump.conf:9' });
  });
  it('defaults: /var/crash on the root file system, reboot, reboot, no collector chosen', () => {
    const r = parseKdumpConf('');
    expect(r.value.path).toEqual({ value: '/var/crash', from: 'default' });
    expect(r.value.target.value).toEqual({ kind: 'rootfs' });
    expect(r.value.failureAction.value).toBe('reboot');
    expect(r.value.finalAction.value).toBe('reboot');
    expect(r.value.coreCollector).toBeNull();
    expect(r.value.sshkey.value).toBe('/root/.ssh/kdump_id_rsa');
  });
  it('reads nfs, ssh, LABEL= and xfs targets', () => {
    expect(parseKdumpConf('nfs srv.example:/export/crash').value.target.value).toEqual({ kind: 'nfs', export: 'srv.example:/export/crash' });
    expect(parseKdumpConf('ssh kdump@10.0.0.2').value.target.value).toEqual({ kind: 'ssh', dest: 'kdump@10.0.0.2' });
    expect(parseKdumpConf('xfs LABEL=crash').value.target.value).toEqual({ kind: 'local', fstype: 'xfs', device: 'LABEL=crash' });
  });
  it('warns with file:line, and why, about directives that have no effect here', () => {
    const r = parseKdumpConf(
      lines('path /var/crash', 'dracut_args --omit-drivers "nouveau"', 'extra_modules i40e', 'extra_args foo=1', 'raw /dev/sdb1'),
      '/etc/kdump.conf',
    );
    const text = r.diagnostics.map(formatDiagnostic);
    expect(text[0]).toMatch(/^\/etc\/kdump\.conf:2: warning: dracut_args: no effect here: no kdump initrd is built here/);
    expect(text[1]).toMatch(/^\/etc\/kdump\.conf:3: warning: extra_modules: no effect here/);
    expect(text[2]).toMatch(/^\/etc\/kdump\.conf:4: warning: extra_args: no effect here: extra_args is not a kdump.conf directive/);
    expect(text[3]).toMatch(/^\/etc\/kdump\.conf:5: warning: raw: no effect here: raw partition targets/);
    expect(r.value.target.value).toEqual({ kind: 'rootfs' });
  });
  it('reads "default" as failure_action with a warning; refuses bad values and keeps the default', () => {
    const r = parseKdumpConf(lines('default halt', 'final_action shell', 'path relative/dir', 'bogus 1'));
    expect(r.value.failureAction).toEqual({ value: 'halt', from: '/etc/kdump.conf:1' });
    expect(r.value.finalAction).toEqual({ value: 'reboot', from: 'default' });
    expect(r.value.path.value).toBe('/var/crash');
    expect(r.diagnostics.map((d) => d.line)).toEqual([1, 2, 3, 4]);
    expect(r.diagnostics[3]?.message).toMatch(/unknown kdump.conf directive/);
  });
  it('keeps the first of two targets and says so', () => {
    const r = parseKdumpConf(lines('nfs a:/x', 'ssh u@b'));
    expect(r.value.target.value).toEqual({ kind: 'nfs', export: 'a:/x' });
    expect(r.diagnostics[0]).toMatchObject({ line: 2, message: expect.stringMatching(/more than one dump target \(the first is on line 1\)/) });
  });
  it('the shipped etc-defaults/kdump.conf parses without a warning', () => {
    const text = readFileSync(join(import.meta.dirname, '../../../etc-defaults/kdump.conf'), 'utf8');
    const r = parseKdumpConf(text);
    expect(r.diagnostics).toEqual([]);
    expect(r.value.path.value).toBe('/var/crash');
  });
});
