/**
 * The Processes port's pipe (kdump's `makedumpfile -F ... | ssh ... dd`): the recording fake keeps both
 * argvs; the real one connects the two children through a kernel pipe and reports each exit status as
 * a shell would. The real pipe runs harmless programs only (node itself, sh), with an env that is not a
 * test run's; the guard refuses it in a test run.
 */
import { describe, expect, it } from 'vitest';
import { execProcesses } from '../../../src/sys/exec-processes.js';
import { FakeKernel, initialFakeState } from '../../../src/sys/fake-kernel.js';
import { recordingProcesses } from '../../../src/sys/processes.js';

const node = process.execPath;
const real = execProcesses({ PATH: process.env['PATH'] ?? '/usr/bin:/bin' });

describe('Processes.pipe', () => {
  it('the recording fake notes producer and consumer and runs nothing', async () => {
    const k = new FakeKernel(initialFakeState({}));
    const r = await recordingProcesses(k).pipe(['makedumpfile', '-F', '/proc/vmcore'], ['ssh', 'u@h', 'dd of=x']);
    expect(r).toEqual({ producer: 0, consumer: 0 });
    expect(k.calls).toEqual([
      { syscall: 'pipe', args: { producer: ['makedumpfile', '-F', '/proc/vmcore'], consumer: ['ssh', 'u@h', 'dd of=x'] }, result: '0' },
    ]);
  });
  it('is refused inside a test run before anything starts', async () => {
    await expect(execProcesses({ KEXECCTL_TEST: '1' }).pipe(['true'], ['true'])).rejects.toMatchObject({ code: 'ETESTGUARD' });
  });
  it("streams the producer's stdout into the consumer's stdin (3 MiB, byte count checked by the consumer)", async () => {
    const n = 3 * 1024 * 1024;
    const r = await real.pipe(
      [node, '-e', `process.stdout.write(Buffer.alloc(${n}, 97))`],
      [node, '-e', `let c=0;process.stdin.on('data',d=>{c+=d.length;for(const b of d)if(b!==97)process.exit(4)}).on('end',()=>process.exit(c===${n}?0:3))`],
    );
    expect(r).toEqual({ producer: 0, consumer: 0 });
  });
  it('each side keeps its own exit status (a failing producer is not hidden by the consumer)', async () => {
    expect(await real.pipe([node, '-e', 'process.exit(7)'], [node, '-e', 'process.stdin.resume()'])).toEqual({ producer: 7, consumer: 0 });
  });
  it('a consumer that ends early gives the producer SIGPIPE (128+13), as in a shell, instead of a blocked write', async () => {
    const r = await real.pipe(['sh', '-c', 'while :; do echo data; done'], ['sh', '-c', 'exit 5']);
    expect(r).toEqual({ producer: 141, consumer: 5 });
  }, 20000);
  it('a program that does not exist: 127 for that side', async () => {
    const r = await real.pipe(['/nonexistent/kxt-producer'], [node, '-e', 'process.stdin.resume()']);
    expect(r).toEqual({ producer: 127, consumer: 0 });
  });
});
