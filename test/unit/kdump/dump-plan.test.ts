import { describe, expect, it } from 'vitest';
import { parseKdumpConf } from '../../../src/config/kdump-conf.js';
import { parseKdumpTools } from '../../../src/config/kdump-tools.js';
import { buildDumpPlan, makedumpfileArgv } from '../../../src/kdump/dump-plan.js';

const MDF = '/usr/sbin/makedumpfile';
const conf = (t: string) => parseKdumpConf(t).value;
const tools = (t: string) => parseKdumpTools(t).value;

describe('collector choice (kdump.sh rules)', () => {
  it('default: makedumpfile -l --message-level 7 -d 31 when installed', () => {
    const p = buildDumpPlan({ conf: null, tools: null, makedumpfile: MDF });
    expect(p.collector).toEqual({ argv: [MDF, '-l', '--message-level', '7', '-d', '31'], from: 'default' });
    expect(p.vmcoreName).toBe('vmcore');
  });
  it('default without makedumpfile: our full copy', () => {
    expect(buildDumpPlan({ conf: null, tools: null, makedumpfile: null }).collector.argv).toBeNull();
  });
  it('drops -F for a file target and adds it for ssh, saved as vmcore.flat', () => {
    expect(makedumpfileArgv(['-F', '-c', '-d', '31'], false)).toEqual(['-c', '-d', '31']);
    const p = buildDumpPlan({ conf: conf('ssh u@h\ncore_collector makedumpfile -F -l -d 31'), tools: null, makedumpfile: MDF });
    expect(p.collector.argv).toEqual([MDF, '-l', '-d', '31', '-F']);
    expect(p.vmcoreName).toBe('vmcore.flat');
  });
  it('cp means our copy; makedumpfile configured but missing falls back with a warning', () => {
    expect(buildDumpPlan({ conf: conf('core_collector cp --sparse=always'), tools: null, makedumpfile: MDF }).collector.argv).toBeNull();
    const p = buildDumpPlan({ conf: conf('core_collector makedumpfile -c'), tools: null, makedumpfile: null });
    expect(p.collector.argv).toBeNull();
    expect(p.warnings[0]).toMatch(/makedumpfile is not installed; the full vmcore is copied/);
  });
  it('any other collector runs as written', () => {
    expect(buildDumpPlan({ conf: conf('core_collector /usr/bin/dd bs=1M'), tools: null, makedumpfile: MDF }).collector.argv).toEqual(['/usr/bin/dd', 'bs=1M']);
  });
});

describe('kdump-tools keys', () => {
  it('KDUMP_COREDIR, MAKEDUMP_ARGS (without -F), KDUMP_NUM_DUMPS, KDUMP_DUMP_DMESG, KDUMP_FAIL_CMD', () => {
    const t = tools(
      'USE_KDUMP=1\nKDUMP_COREDIR="/srv/crash"\nMAKEDUMP_ARGS="-F -c -d 31"\nKDUMP_NUM_DUMPS=3\nKDUMP_DUMP_DMESG=0\nKDUMP_FAIL_CMD="/bin/echo failed"',
    );
    const p = buildDumpPlan({ conf: null, tools: t, makedumpfile: MDF });
    expect(p.path).toEqual({ value: '/srv/crash', from: '/etc/default/kdump-tools:2' });
    expect(p.collector).toEqual({ argv: [MDF, '-c', '-d', '31'], from: '/etc/default/kdump-tools:3' });
    expect(p.numDumps).toEqual({ value: 3, from: '/etc/default/kdump-tools:4' });
    expect(p.dmesg.value).toBe(false);
    expect(p.failCmd?.value).toEqual(['/bin/echo', 'failed']);
  });
  it('a kdump.conf directive wins over the kdump-tools key', () => {
    const p = buildDumpPlan({
      conf: conf('path /a\ncore_collector makedumpfile -l -d 1'),
      tools: tools('KDUMP_COREDIR=/b\nMAKEDUMP_ARGS="-c -d 31"\nSSH=u@h'),
      makedumpfile: MDF,
    });
    expect(p.path.value).toBe('/a');
    expect(p.collector.argv).toEqual([MDF, '-l', '-d', '1', '-F']);
    expect(p.target).toEqual({ value: { kind: 'ssh', dest: 'u@h' }, from: '/etc/default/kdump-tools:3' });
  });
});
