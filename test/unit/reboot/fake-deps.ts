/** A scriptable RebootDeps for the reboot-path unit tests: records every effect, runs nothing. */
import { KexecError } from '../../../src/errors.js';
import type { LoadRecord } from '../../../src/kexec/record.js';
import type { RebootDeps, RunResult, WantedLoad } from '../../../src/reboot/types.js';

export type FakeWorld = {
  plan: WantedLoad | Error;
  loaded: boolean | null;
  record: LoadRecord | null;
  files: Map<string, number>;
  loadError?: string;
  /** The code the load's error carries (default EKEXECFILE); an integrity code (EKERNEL_…) exercises issue 18's rescue. */
  loadErrorCode?: string;
  unloadError?: string;
  runExit?: Record<string, number>;
  rebootPending?: boolean;
  events: string[];
  warnings: string[];
  infos: string[];
};

export function world(over: Partial<FakeWorld> = {}): FakeWorld {
  return {
    plan: { action: 'skip', reason: 'LOAD_KEXEC is not true' },
    loaded: false,
    record: null,
    files: new Map(),
    events: [],
    warnings: [],
    infos: [],
    ...over,
  };
}

export const WANT: Extract<WantedLoad, { action: 'load' }> = {
  action: 'load',
  kernel: '/boot/vmlinuz-6.1.0-56-cloud-amd64',
  initrds: ['/boot/initrd.img-6.1.0-56-cloud-amd64'],
  cmdline: 'BOOT_IMAGE=/boot/vmlinuz-6.1.0-56-cloud-amd64 root=/dev/vda ro',
  source: 'grub: Debian GNU/Linux',
};

export function recordOf(w: Extract<WantedLoad, { action: 'load' }>, time = '2026-01-01T00:00:10.000Z'): LoadRecord {
  return {
    kernel: w.kernel,
    initrds: [...w.initrds],
    cmdline: w.cmdline,
    time,
    syscall: 'kexec_file_load',
    crash: false,
    release: null,
    format: 'x86-bzimage',
  };
}

export function fakeDeps(w: FakeWorld): RebootDeps {
  return {
    async plan() {
      if (w.plan instanceof Error) throw w.plan;
      return w.plan;
    },
    async load(want) {
      w.events.push(`load ${want.kernel}`);
      if (w.loadError !== undefined) throw new KexecError({ code: w.loadErrorCode ?? 'EKEXECFILE', message: w.loadError });
      w.loaded = true;
      w.record = recordOf(want, new Date(Date.parse('2026-01-01T00:00:20.000Z')).toISOString());
    },
    async unload() {
      w.events.push('unload');
      if (w.unloadError !== undefined) throw new KexecError({ code: 'EUNLOAD', message: w.unloadError });
      w.loaded = false;
      w.record = null;
    },
    loaded: () => w.loaded,
    record: () => w.record,
    ctimeMs: (p) => w.files.get(p) ?? null,
    exists: (p) => w.files.has(p),
    touch(p) {
      w.events.push(`touch ${p}`);
      w.files.set(p, 0);
    },
    async execNow() {
      w.events.push('exec');
      return null;
    },
    async restartNow() {
      w.events.push('restart');
      return null;
    },
    async rebootPending() {
      return w.rebootPending ?? false;
    },
    clearOneShot(file) {
      w.events.push(`clear-one-shot ${file}`);
    },
    runner: {
      async run(cmd, args, env): Promise<RunResult> {
        const line = `${
          env
            ? Object.entries(env)
                .map(([k, v]) => `${k}=${v} `)
                .join('')
            : ''
        }${[cmd, ...args].join(' ')}`;
        w.events.push(`run ${line}`);
        return { exitCode: w.runExit?.[[cmd, ...args].join(' ')] ?? 0, stdout: '', stderr: '' };
      },
      async pipe(producer, consumer) {
        w.events.push(`pipe ${producer.join(' ')} | ${consumer.join(' ')}`);
        return { producer: 0, consumer: 0 };
      },
    },
    warn: (m) => void w.warnings.push(m),
    info: (m) => void w.infos.push(m),
  };
}

/** Files of WANT, changed (ctime) before the record's load time. */
export function wantFiles(ctime = Date.parse('2026-01-01T00:00:00.000Z')): Map<string, number> {
  return new Map([WANT.kernel, ...WANT.initrds].map((p) => [p, ctime]));
}
