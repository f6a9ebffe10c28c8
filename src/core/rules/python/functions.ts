/**
 * Function definitions of one Python file as the rules read them: name, async, parameters (plain,
 * `*args`, `**kwargs`, with annotations and defaults), body, return annotation and docstring.
 */
import { field, named, type PyNode } from './ast';
import type { PyFile } from './context';

export interface ParamFact {
  name: string;
  node: PyNode;
  annotation?: PyNode;
  default?: PyNode;
  kind: 'plain' | 'args' | 'kwargs';
}

export interface FunctionFact {
  node: PyNode;
  name: string;
  nameNode: PyNode;
  isAsync: boolean;
  params: ParamFact[];
  paramsNode: PyNode;
  body: PyNode;
  returnType?: PyNode;
  docstring?: string;
  /** The `decorated_definition` wrapping the function, when decorated. */
  decorated?: PyNode;
}

/** The facts of a `function_definition` node. */
export function makeFunction(py: PyFile, n: PyNode): FunctionFact {
  const nameNode = field(n, 'name')!;
  const paramsNode = field(n, 'parameters')!;
  const body = field(n, 'body')!;
  const params: ParamFact[] = [];
  for (const p of named(paramsNode)) {
    const pf = makeParam(py, p);
    if (pf) params.push(pf);
  }
  let docstring: string | undefined;
  const first = named(body)[0];
  if (first?.type === 'expression_statement') {
    const s = named(first)[0];
    if (s && (s.type === 'string' || s.type === 'concatenated_string')) docstring = py.str(s);
  }
  return {
    node: n,
    name: nameNode ? py.text(nameNode) : '',
    nameNode,
    isAsync: n.children[0]?.type === 'async',
    params,
    paramsNode,
    body,
    returnType: field(n, 'return_type'),
    docstring,
    decorated: n.parent?.type === 'decorated_definition' ? n.parent : undefined,
  };
}

function makeParam(py: PyFile, p: PyNode): ParamFact | undefined {
  switch (p.type) {
    case 'identifier':
      return { name: py.text(p), node: p, kind: 'plain' };
    case 'default_parameter':
      return { name: py.text(field(p, 'name')!), node: p, default: field(p, 'value'), kind: 'plain' };
    case 'typed_default_parameter':
      return {
        name: py.text(field(p, 'name')!),
        node: p,
        annotation: field(p, 'type'),
        default: field(p, 'value'),
        kind: 'plain',
      };
    case 'typed_parameter': {
      const inner = named(p)[0];
      const annotation = field(p, 'type');
      if (inner?.type === 'list_splat_pattern')
        return { name: py.text(named(inner)[0] ?? inner), node: p, annotation, kind: 'args' };
      if (inner?.type === 'dictionary_splat_pattern')
        return { name: py.text(named(inner)[0] ?? inner), node: p, annotation, kind: 'kwargs' };
      return { name: inner ? py.text(inner) : '', node: p, annotation, kind: 'plain' };
    }
    case 'list_splat_pattern':
      return { name: py.text(named(p)[0] ?? p), node: p, kind: 'args' };
    case 'dictionary_splat_pattern':
      return { name: py.text(named(p)[0] ?? p), node: p, kind: 'kwargs' };
    default:
      return undefined; // `*`, `/` separators
  }
}
