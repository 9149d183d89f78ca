// Differential test of the kexec drop-in (guest tier, stage 1), driven from one node process.
// differential.sh holds the table and pipes it here: `kxd_table | node /kxt/differential.mjs`.
// Each row runs one invocation from the same kexec state under Debian 12's C kexec-tools 2.0.25
// (/usr/local/sbin/kexec-c) and under ours, and compares the exit status, the loaded state afterwards
// (/sys/kernel/kexec_loaded and kexec_crash_loaded) and, for a failure, the first line of stderr
// (without the "argv[0]: " prefix glibc's getopt adds). Never -e or -f.
// Ours runs in this process (/opt/kexecctl/kxt/kexec-inproc.mjs: kexecMain inside runCli's error
// boundary), because each node start costs 3-5 s under TCG. The rows in BINARY also run the
// installed /usr/sbin/kexec, and fail when the binary and the in-process run disagree.
// A difference is expected only when:
//   - the C tool run again with -a (kexec_file_load first, 2.0.27's default) gives our result:
//     2.0.25 defaults to kexec_load, and that alone explains it; or
//   - the row names its reason (the last field of the table).
// Reasons starting with "kexec_load not implemented" report NOTIMPL (an honest third result);
// other expected differences PASS with the reason printed; any other difference FAILs.
// Prints "KXT DIFF <row> same|expected|NOTIMPL|DIFF ..." and one "KXT RESULT diff-<row> ..." each.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { runKexec } from '/opt/kexecctl/kxt/kexec-inproc.mjs';

const C = '/usr/local/sbin/kexec-c';
const K = '/payload/vmlinuz';
const I = '/tmp/kxd-small.img';
/** Rows that also run the installed binary: a getopt error, a file error, a load, -S, -u, our own message. */
const BINARY = new Set(['missing-kernel', 'ambiguous-a', 'two-initrds-last-wins', 'status-loaded', 'unload', 'unload-with-append']);

const read = (f) => {
  try {
    return readFileSync(f, 'utf8').trim();
  } catch {
    return '-';
  }
};
const state = () => `${read('/sys/kernel/kexec_loaded')}/${read('/sys/kernel/kexec_crash_loaded')}`;
/** A child's exit status as the shell reports it (128 + signal when killed). */
const status = (r) => r.status ?? 128 + (constants.signals[r.signal] ?? 0);
const run = (cmd, args) => spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
const reset = () => {
  run(C, ['-u']);
  run(C, ['-p', '-u']);
};
const setup = (kind) => {
  reset();
  if (kind === 'loaded') run(C, ['-s', '-l', K, '--append=kxd-setup']);
};
const firstLine = (stderr) => (stderr.split('\n')[0] ?? '').replace(/^[^ :]*kexec(-c)?: /, '');
const line = (rc, stderr) => `${rc}|${state()}|${rc !== 0 ? firstLine(stderr) : ''}`;

/** "rc|state|first stderr line (only when rc != 0)" of one tool from the row's starting state. */
async function one(tool, kind, args) {
  setup(kind);
  if (tool === 'inproc') {
    const r = await runKexec(args);
    return line(r.code, r.stderr);
  }
  const r = run(tool, args);
  return line(status(r), r.stderr ?? '');
}

function result(name, verdict, text) {
  console.log(`KXT RESULT ${name} ${verdict} ${text.replace(/\n/g, ' ').slice(0, 300)}`);
}

async function row(name, kind, rawArgs, reasonIn) {
  const args = rawArgs
    .split(' ')
    .filter((a) => a !== '')
    .map((a) => a.replace(/@K@/g, K).replace(/@I@/g, I));
  const c = await one(C, kind, args);
  const ours = await one('inproc', kind, args);
  const bin = BINARY.has(name) ? await one('/usr/sbin/kexec', kind, args) : null;
  let ca = '';
  let reason = reasonIn;
  let st;
  if (c === ours) {
    st = 'same';
    reason = '';
  } else {
    ca = await one(C, kind, ['-a', ...args]);
    if (ca === ours) {
      st = 'expected';
      reason = "2.0.25 defaults to kexec_load; with -a (2.0.27's default) it gives our result";
    } else if (reason !== '') {
      st = reason.startsWith('kexec_load not implemented') ? 'NOTIMPL' : 'expected';
    } else {
      st = 'DIFF';
    }
  }
  reset();
  const binNote = bin === null ? '' : bin === ours ? ' | binary: same' : ` | binary: ${bin}`;
  console.log(`KXT DIFF ${name} ${st} | args: ${rawArgs} | ours: ${ours} | C: ${c}${ca ? ` | C -a: ${ca}` : ''}${reason ? ` | ${reason}` : ''}${binNote}`);
  if (bin !== null && bin !== ours) {
    result(`diff-${name}`, 'FAIL', `the installed kexec and the in-process run disagree: binary ${bin}, in-process ${ours}`);
    return;
  }
  const how = bin === null ? '' : ' (binary too)';
  if (st === 'same') result(`diff-${name}`, 'PASS', `same exit, state and first error line${how}: ${ours}`);
  else if (st === 'expected') result(`diff-${name}`, 'PASS', `expected difference (${reason})${how}: ours ${ours}, C ${c}`);
  else if (st === 'NOTIMPL') result(`diff-${name}`, 'NOTIMPL', `${reason}: ours ${ours}, C ${c}`);
  else result(`diff-${name}`, 'FAIL', `ours ${ours}, C ${c}${ca ? `, C -a ${ca}` : ''}`);
}

const table = readFileSync(0, 'utf8');
for (const l of table.split('\n')) {
  const [name, kind, args, reason] = l.split('|');
  if (name) await row(name, kind ?? 'none', args ?? '', reason ?? '');
}
reset();
