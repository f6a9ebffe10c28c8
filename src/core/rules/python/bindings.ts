/**
 * The names a Python module binds at module level, and what each one is, for checks made from
 * outside the module: a `fastmcp.json` entrypoint (`server.py:mcp`) must name an object that
 * exists and that `fastmcp run` can run; a runner module that starts an imported server needs its
 * class and whether its module authenticates HTTP requests.
 */
import type { ModuleFacts } from '../types';
import { field, named, type PyNode, walk } from './ast';
import type { PyFile } from './context';
import { lowLevelServers } from './dispatchers';
import { isAuthenticated } from './rules/httpAuth';
import { isMcpServerClass } from './servers';

type Kind = NonNullable<ModuleFacts['bindings']>['names'][string];
type Servers = NonNullable<NonNullable<ModuleFacts['bindings']>['servers']>;

/** Statements whose blocks still run at module level (`if`, `try`, `with`...). */
const BLOCKS = new Set([
  'if_statement',
  'elif_clause',
  'else_clause',
  'try_statement',
  'except_clause',
  'finally_clause',
  'with_statement',
  'for_statement',
  'while_statement',
  'block',
]);

/** Module-level bindings of the file; `open` when a name may come from elsewhere (`import *`, `__getattr__`, `globals()`). */
export function moduleBindings(py: PyFile): NonNullable<ModuleFacts['bindings']> {
  const names: Record<string, Kind> = {};
  let open = /\bglobals\(\)|\bsetattr\(\s*sys\.modules/.test(py.src.text);
  const low = lowLevelServers(py);
  const servers = new Set(py.servers.filter((s) => !s.imported).map((s) => s.name));
  const bind = (name: string, kind: Kind) => {
    const prev = names[name];
    names[name] = prev === undefined || prev === kind ? kind : 'other';
  };
  const target = (n: PyNode | undefined, kind: Kind) => {
    if (!n) return;
    if (n.type === 'identifier') bind(py.text(n), kind);
    else if (n.type === 'pattern_list' || n.type === 'tuple_pattern' || n.type === 'list_pattern')
      for (const c of named(n)) target(c, 'other');
  };
  const visit = (n: PyNode) => {
    switch (n.type) {
      case 'expression_statement':
        for (const c of named(n)) visit(c);
        return;
      case 'assignment': {
        const left = field(n, 'left');
        const right = field(n, 'right');
        let kind: Kind = 'other';
        if (left?.type === 'identifier') {
          const name = py.text(left);
          if (low.get(name) === right) kind = 'lowlevel';
          else if (servers.has(name) && right?.type === 'call') kind = 'server';
        }
        target(left, kind);
        if (right?.type === 'assignment') visit(right);
        return;
      }
      case 'augmented_assignment':
        target(field(n, 'left'), 'other');
        return;
      case 'function_definition':
        target(field(n, 'name'), 'function');
        if (py.text(field(n, 'name')!) === '__getattr__') open = true;
        return;
      case 'class_definition':
        target(field(n, 'name'), 'other');
        return;
      case 'decorated_definition': {
        const def = field(n, 'definition');
        if (def) visit(def);
        return;
      }
      case 'import_statement':
        for (const c of named(n)) {
          const alias = c.type === 'aliased_import' ? field(c, 'alias') : undefined;
          const dotted = c.type === 'aliased_import' ? field(c, 'name') : c;
          if (alias) bind(py.text(alias), 'other');
          else if (dotted) bind(py.text(dotted).split('.')[0]!, 'other');
        }
        return;
      case 'import_from_statement':
      case 'future_import_statement':
        if (n.children.some((c) => c.type === 'wildcard_import')) open = true;
        for (const c of n.children) {
          if (c.field !== 'name') continue;
          const local = c.type === 'aliased_import' ? field(c, 'alias') : c;
          if (local) bind(py.text(local).split('.')[0]!, 'other');
        }
        return;
      default:
        if (!BLOCKS.has(n.type)) return;
        if (n.type === 'for_statement') target(field(n, 'left'), 'other');
        if (n.type === 'with_statement')
          for (const c of named(n))
            if (c.type !== 'block')
              walk(c, (x) => {
                if (x.type !== 'as_pattern') return true;
                const alias = field(x, 'alias');
                if (alias) target(named(alias)[0] ?? alias, 'other');
                return false;
              });
        for (const c of named(n)) visit(c);
    }
  };
  for (const n of named(py.root)) visit(n);
  // `@server.call_tool()` and its kin exist only on mcp 1.x: on mcp 2.x the import fails there.
  const decorators: Record<string, string> = {};
  for (const fn of py.functions) {
    for (const dec of fn.decorated ? named(fn.decorated) : []) {
      const expr = dec.type === 'decorator' ? named(dec)[0] : undefined;
      const callee = expr?.type === 'call' ? field(expr, 'function') : expr;
      const obj = callee?.type === 'attribute' ? field(callee, 'object') : undefined;
      if (obj?.type !== 'identifier' || !low.has(py.text(obj))) continue;
      decorators[py.text(obj)] ??= py.text(field(callee!, 'attribute')!);
    }
  }
  return {
    names,
    ...(open ? { open: true as const } : {}),
    ...(Object.keys(decorators).length ? { decorators } : {}),
    ...serverClasses(py, names),
  };
}

/** The class of each module-level server and whether the module authenticates its requests. */
function serverClasses(py: PyFile, names: Record<string, Kind>): { servers?: Servers } {
  const servers: Servers = {};
  for (const s of py.servers) {
    if (s.imported || !s.ctor || names[s.name] !== 'server') continue;
    const cls = s.framework === 'fastmcp' ? 'fastmcp' : isMcpServerClass(py, s) ? 'mcp2' : 'mcp1';
    servers[s.name] = { cls, ...(isAuthenticated(py) ? { auth: true as const } : {}) };
  }
  return Object.keys(servers).length ? { servers } : {};
}
