import { describe, expect, it } from 'vitest';
import { formatDiagnostic } from '../../../src/errors.js';
import { KDUMP_DEFAULTS, parseSysconfigKdump, splitWords } from '../../../src/config/sysconfig-kdump.js';

describe('/etc/sysconfig/kdump', () => {
  it('reads every documented key with dotenv semantics', () => {
    const { value, diagnostics } = parseSysconfigKdump(
      [
        '# comment',
        'KDUMP_KERNELVER="6.1.0-27-amd64"',
        "KDUMP_COMMANDLINE='ro root=/dev/vda1'",
        'KDUMP_COMMANDLINE_REMOVE="quiet  hugepages=16 log_buf_len"',
        'KDUMP_COMMANDLINE_APPEND="irqpoll nr_cpus=1"   # trailing comment',
        'export KEXEC_ARGS="-s -d"',
        'KDUMP_BOOTDIR=/efi/boot/',
        'KDUMP_IMG=bzImage',
        'KDUMP_IMG_EXT=.efi',
      ].join('\n'),
    );
    expect(diagnostics).toEqual([]);
    expect(value).toEqual({
      kernelVer: '6.1.0-27-amd64',
      commandline: 'ro root=/dev/vda1',
      commandlineRemove: ['quiet', 'hugepages', 'log_buf_len'],
      commandlineAppend: 'irqpoll nr_cpus=1',
      kexecArgs: ['-s', '-d'],
      bootDir: '/efi/boot',
      img: 'bzImage',
      imgExt: '.efi',
    });
  });
  it('keeps defaults for an empty file and empty values', () => {
    expect(parseSysconfigKdump('').value).toEqual(KDUMP_DEFAULTS);
    expect(parseSysconfigKdump('KDUMP_BOOTDIR=""\nKDUMP_IMG=\n').value).toEqual(KDUMP_DEFAULTS);
  });
  it('accepts the older keys with a warning that says what they mean here', () => {
    const { value, diagnostics } = parseSysconfigKdump(
      'MKDUMPRD_ARGS="--debug"\nKDUMP_FILE_LOAD="off"\nFADUMP_COMMANDLINE_APPEND="nr_cpus=16"\n',
      '/etc/sysconfig/kdump',
    );
    const text = diagnostics.map(formatDiagnostic);
    expect(text[0]).toMatch(/^\/etc\/sysconfig\/kdump:1: warning: MKDUMPRD_ARGS is ignored: kexecctl does not build a kdump initrd/);
    expect(text[1]).toMatch(/^\/etc\/sysconfig\/kdump:2: warning: KDUMP_FILE_LOAD is obsolete: "on" selects kexec_file_load/);
    expect(text[2]).toMatch(/^\/etc\/sysconfig\/kdump:3: warning: FADUMP_COMMANDLINE_APPEND is ignored: firmware-assisted dump/);
    expect(value.fileLoad).toBe('off');
  });
  it('never runs a shell: substitutions are literal and reported', () => {
    const { value, diagnostics } = parseSysconfigKdump('KDUMP_KERNELVER=$(uname -r)\nKDUMP_COMMANDLINE_APPEND="x=`id` y=$HOME"\n');
    expect(value.commandlineAppend).toBe('x=`id` y=$HOME');
    const msgs = diagnostics.map((d) => `${d.line}: ${d.message}`);
    expect(msgs.some((m) => m.startsWith('1:') && /command substitution/.test(m))).toBe(true);
    expect(msgs.some((m) => m.startsWith('2:') && /backticks/.test(m))).toBe(true);
    expect(msgs.some((m) => m.startsWith('2:') && /not expanded/.test(m))).toBe(true);
    // "$(uname -r)" has a blank: it cannot be a release, so it is refused rather than used.
    expect(value.kernelVer).toBe('');
    expect(msgs.some((m) => /KDUMP_KERNELVER=.* is not a kernel release/.test(m))).toBe(true);
  });
  it('warns about unknown keys and bad values, with their line', () => {
    const { value, diagnostics } = parseSysconfigKdump('\nKDUMP_FOO=1\nKDUMP_BOOTDIR=boot\nKDUMP_IMG=a/b\nKDUMP_FILE_LOAD=maybe\n');
    expect(diagnostics.map((d) => d.line)).toEqual([2, 3, 4, 5, 5]);
    expect(diagnostics[0]?.message).toBe('unknown key KDUMP_FOO, ignored');
    expect(value.bootDir).toBe('/boot');
    expect(value.img).toBe('vmlinuz');
    expect(value.fileLoad).toBeUndefined();
  });
  it('splits words with quotes', () => {
    expect(splitWords(` -s  "a b" 'c d'e `)).toEqual(['-s', 'a b', 'c de']);
    expect(splitWords('""')).toEqual(['']);
  });
});

describe('shipped etc-defaults/kdump', () => {
  it('parses without a single warning and keeps the documented defaults', async () => {
    const { readFileSync } = await import('node:fs');
    const text = readFileSync(new URL('../../../etc-defaults/kdump', import.meta.url), 'utf8');
    const { value, diagnostics } = parseSysconfigKdump(text);
    expect(diagnostics).toEqual([]);
    expect(value.bootDir).toBe('/boot');
    expect(value.img).toBe('vmlinuz');
    expect(value.commandlineRemove).toContain('quiet');
    expect(value.commandlineAppend.split(' ')).toContain('systemd.unit=kdump-capture.target');
  });
});
