/**
 * Script text to statements for one evaluation: the flavor's lexer rules (Red Hat keeps `\xNN`),
 * the depth limit, diagnostics reported, and each file read and parsed once.
 */
import type { Diagnostic } from '../../errors.js';
import { grubFile } from './files.js';
import { parseScript, type Stmt } from './parser.js';
import type { GrubFlavor, GrubFs } from './types.js';

export class Scripts {
  private readonly files = new Map<string, Stmt[]>();

  constructor(
    private readonly fs: GrubFs,
    private readonly flavor: GrubFlavor,
    private readonly maxDepth: number,
    private readonly report: (d: readonly Diagnostic[]) => void,
  ) {}

  parse(text: string, origin: string, firstLine?: number): Stmt[] {
    const parsed = parseScript(text, {
      origin,
      ...(firstLine === undefined ? {} : { firstLine }),
      keepHexEscapes: this.flavor === 'redhat',
      maxDepth: this.maxDepth,
    });
    this.report(parsed.diagnostics);
    return parsed.value;
  }

  /**
   * The statements of a script file (`(dev)/path` or a path on `root`), or null when absent.
   * `origin`: the file's name in diagnostics (default: `name`, as `source` wrote it).
   */
  load(name: string, root: string, origin: string = name): Stmt[] | null {
    const f = grubFile(name, root);
    const key = `${f.device}\0${f.path}`;
    const hit = this.files.get(key);
    if (hit !== undefined) return hit;
    const text = this.fs.readFile(f.device, f.path);
    if (text === null) return null;
    const stmts = this.parse(text, origin);
    this.files.set(key, stmts);
    return stmts;
  }
}
