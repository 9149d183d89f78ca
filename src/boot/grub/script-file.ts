/** `source` (same context, same menu) and `configfile` (new context whose menu replaces ours). */
import { grubFile } from './files.js';
import { ConfigfileSwitch, newCtx, type Interp } from './interp.js';
import { parseScript, type Stmt } from './parser.js';

const cache = new WeakMap<Interp, Map<string, Stmt[]>>();

export function loadScript(ip: Interp, name: string): Stmt[] | null {
  const f = grubFile(name, ip.get('root') ?? '');
  const key = `${f.device}\0${f.path}`;
  let files = cache.get(ip);
  if (files === undefined) cache.set(ip, (files = new Map()));
  const hit = files.get(key);
  if (hit !== undefined) return hit;
  const text = ip.opts.fs.readFile(f.device, f.path);
  if (text === null) return null;
  const parsed = parseScript(text, {
    origin: name,
    keepHexEscapes: ip.opts.flavor === 'redhat',
    maxDepth: ip.opts.maxDepth,
  });
  for (const d of parsed.diagnostics) ip.diagnostics.push(d);
  files.set(key, parsed.value);
  return parsed.value;
}

export function runScriptFile(ip: Interp, name: string | undefined, newContext: boolean): number {
  const cmd = newContext ? 'configfile' : 'source';
  if (name === undefined) {
    ip.diag('error', `${cmd}: filename expected`);
    return 1;
  }
  if (ip.sourceDepth >= ip.opts.maxSourceDepth) {
    ip.diag('error', `${cmd} ${name}: nesting limit (${ip.opts.maxSourceDepth}) reached, not read`);
    return 1;
  }
  const stmts = loadScript(ip, name);
  if (stmts === null) {
    ip.diag('error', `${cmd} ${name}: file not found`);
    return 1;
  }
  const saved = { file: ip.file, line: ip.line, ctx: ip.ctx };
  ip.sourceDepth++;
  ip.file = name;
  if (newContext) ip.ctx = newCtx(saved.ctx, false);
  try {
    ip.run(stmts);
    if (newContext && ip.ctx.menu.length > 0) throw new ConfigfileSwitch(ip.ctx);
  } finally {
    ip.sourceDepth--;
    Object.assign(ip, saved);
  }
  return ip.status;
}
