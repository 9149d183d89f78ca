/**
 * Issue 12, fault matrix: two loads at once never interleave (flock on /run/kexecctl/lock around
 * the system call and the record), a load killed between its system call and its record leaves no
 * record naming the earlier kernel, and an EPERM under kexec_load_disabled says so.
 */
import { closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { KexecError } from '../../../src/errors.js';
import { loadKernel, type LoadRequest } from '../../../src/kexec/load.js';
import { LOCK_EX, LOCK_NB, LOCK_UN, lockPath, withLoadLock } from '../../../src/kexec/load-lock.js';
import { readLoadRecord } from '../../../src/kexec/record.js';
import { unloadKernel } from '../../../src/kexec/unload.js';
import { FakeKernel } from '../../../src/sys/fake-kernel.js';
import type { Kernel } from '../../../src/sys/kernel.js';
import { makeKexecFixture, type KexecFixture } from '../../helpers/kexec-fixture.js';

let fx: KexecFixture;
let held: number | null = null;
beforeEach(() => {
  fx = makeKexecFixture();
});
afterEach(() => {
  if (held !== null) {
    new FakeKernel().flock(held, LOCK_UN);
    closeSync(held);
    held = null;
  }
  fx.cleanup();
});

function req(cmdline: string): LoadRequest {
  return { kernelPath: fx.kernel, initrdPaths: [fx.initrd1], cmdline, crash: false, mode: 'auto' };
}

/** Another process's load holding the lock (its own open file description). */
function holdLock(): void {
  mkdirSync(join(fx.root, 'run/kexecctl'), { recursive: true });
  held = openSync(lockPath(fx.root), 'a');
  expect(new FakeKernel().flock(held, LOCK_EX | LOCK_NB).ok).toBe(true);
}

function thrown(f: () => unknown): KexecError {
  try {
    f();
  } catch (e) {
    if (e instanceof KexecError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('withLoadLock', () => {
  it('waits for the holder, then fails with one line without running the load', () => {
    holdLock();
    let t = 0;
    const waits: string[] = [];
    let ran = false;
    const opts = { waitMs: 1000, now: () => t, sleep: (ms: number) => void (t += ms), onWait: (m: string) => void waits.push(m) };
    const e = thrown(() => withLoadLock(new FakeKernel(), fx.root, () => (ran = true), opts));
    expect(e.code).toBe('EBUSYLOAD');
    expect(e.message).toBe(
      `another kexecctl load or unload still holds ${lockPath(fx.root)} after 1 s; nothing was loaded or unloaded: try again when it has finished`,
    );
    expect(ran).toBe(false);
    expect(t).toBe(1000);
    expect(waits).toEqual([`waiting for ${lockPath(fx.root)}: another kexecctl load or unload is running`]);
  });

  it('runs the load once the holder lets go, and releases the lock after it', () => {
    holdLock();
    let t = 0;
    const k = new FakeKernel();
    const sleep = (ms: number): void => {
      t += ms;
      if (t === 300 && held !== null) k.flock(held, LOCK_UN); // the other load finished
    };
    expect(withLoadLock(k, fx.root, () => 'loaded', { waitMs: 1000, now: () => t, sleep })).toBe('loaded');
    expect(t).toBe(300);
    expect(withLoadLock(k, fx.root, () => 'again', { waitMs: 0 })).toBe('again'); // released
  });
});

describe('two loads at once', () => {
  it('a second load while the first is between its system call and its record waits and fails; the record names what is loaded', () => {
    const k = new FakeKernel();
    let second: unknown = null;
    // Load B starts while load A is inside kexec_file_load (after the kernel took A's image).
    const racing = new Proxy(k, {
      get(target, prop, receiver) {
        if (prop !== 'kexecFileLoad') return Reflect.get(target, prop, receiver) as unknown;
        return (fd: number, initrd: number | null, cmdline: string, flags: number) => {
          const r = target.kexecFileLoad(fd, initrd, cmdline, flags);
          if (cmdline === 'load-a') {
            try {
              loadKernel(target, req('load-b'), { root: fx.root, trust: fx.trust, lockWaitMs: 200 });
            } catch (e) {
              second = e;
            }
          }
          return r;
        };
      },
    }) as Kernel;
    loadKernel(racing, req('load-a'), { root: fx.root, trust: fx.trust });
    const loadedLast = k.calls.filter((c) => c.syscall === 'kexec_file_load' && c.result === '0').map((c) => c.args['cmdline']);
    expect(loadedLast).toEqual(['load-a']); // B never reached the kernel
    expect(second).toBeInstanceOf(KexecError);
    expect((second as KexecError).code).toBe('EBUSYLOAD');
    expect(readLoadRecord(fx.root, false)?.cmdline).toBe('load-a');
  });

  it('an unload while a load holds the lock waits and fails, unloading nothing', () => {
    holdLock();
    const k = new FakeKernel();
    k.st.loaded = true;
    expect(thrown(() => unloadKernel(k, { crash: false, mode: 'auto' }, { root: fx.root, lockWaitMs: 200 })).code).toBe('EBUSYLOAD');
    expect(k.calls).toHaveLength(0);
    expect(k.state().loaded).toBe(true);
  });
});

describe('a load killed in progress', () => {
  it('killed after the kernel took the new image: no record names the earlier kernel', () => {
    const k = new FakeKernel();
    loadKernel(k, req('earlier'), { root: fx.root, trust: fx.trust });
    const dying = new Proxy(k, {
      get(target, prop, receiver) {
        if (prop !== 'kexecFileLoad') return Reflect.get(target, prop, receiver) as unknown;
        return (fd: number, initrd: number | null, cmdline: string, flags: number) => {
          target.kexecFileLoad(fd, initrd, cmdline, flags);
          throw new Error('SIGKILL'); // the process dies here: nothing after this line runs
        };
      },
    }) as Kernel;
    expect(() => loadKernel(dying, req('new'), { root: fx.root, trust: fx.trust })).toThrow('SIGKILL');
    expect(k.state().loaded).toBe(true);
    expect(readLoadRecord(fx.root, false)).toBeNull(); // status: loaded, no record of what (refresh reloads)
    expect(existsSync(join(fx.root, 'run/kexecctl/loaded.json.previous'))).toBe(true);
    loadKernel(k, req('again'), { root: fx.root, trust: fx.trust }); // the reboot path's reload
    expect(readLoadRecord(fx.root, false)?.cmdline).toBe('again');
    expect(existsSync(join(fx.root, 'run/kexecctl/loaded.json.previous'))).toBe(false);
  });

  it('a load the kernel refuses keeps the earlier record, and says why under kexec_load_disabled', () => {
    const k = new FakeKernel();
    loadKernel(k, req('earlier'), { root: fx.root, trust: fx.trust });
    k.failWith('kexec_file_load', 'EPERM');
    mkdirSync(join(fx.root, 'proc/sys/kernel'), { recursive: true });
    writeFileSync(join(fx.root, 'proc/sys/kernel/kexec_load_disabled'), '1\n');
    const e = thrown(() => loadKernel(k, req('new'), { root: fx.root, trust: fx.trust }));
    expect(e.message).toBe(
      'kexec_file_load failed: Operation not permitted (kernel.kexec_load_disabled is 1: this kernel refuses every kexec load and unload until the next boot)',
    );
    expect(readLoadRecord(fx.root, false)?.cmdline).toBe('earlier');
    expect(existsSync(join(fx.root, 'run/kexecctl/loaded.json.previous'))).toBe(false);
    writeFileSync(join(fx.root, 'proc/sys/kernel/kexec_load_disabled'), '0\n');
    expect(thrown(() => loadKernel(k, req('new'), { root: fx.root, trust: fx.trust })).message).toBe('kexec_file_load failed: Operation not permitted');
  });
});
