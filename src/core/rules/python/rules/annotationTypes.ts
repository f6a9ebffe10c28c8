/**
 * The types a parameter or return annotation names, and whether the framework can turn each into
 * JSON (schema and value): the judgement the serialization rules share.
 */
import { field, named, type PyNode } from '../ast';
import type { PyFile } from '../context';

// ---- type annotations ------------------------------------------------------------------------

/** One type referenced by an annotation: `dict` in `dict[str, int]`, `Foo` in `Foo | None`. */
interface TypeRef {
  /** Qualified name (`typing.Dict`, `dict`, `Foo`). */
  name: string;
  /** Last segment (`Dict`). */
  short: string;
  node: PyNode;
  /** `list` alone vs `list[str]`. */
  bare: boolean;
}

export function typeRefs(py: PyFile, node: PyNode | undefined, out: TypeRef[] = []): TypeRef[] {
  if (!node) return out;
  const push = (base: PyNode, at: PyNode, bare: boolean): string => {
    const name = py.qualify(base) ?? py.text(base);
    out.push({ name, short: name.split('.').pop()!, node: at, bare });
    return name.split('.').pop()!;
  };
  switch (node.type) {
    case 'type':
    case 'type_parameter':
    case 'list':
    case 'tuple':
    case 'parenthesized_expression':
      for (const c of named(node)) typeRefs(py, c, out);
      break;
    case 'identifier':
    case 'attribute':
      push(node, node, true);
      break;
    case 'generic_type': {
      const [base, ...rest] = named(node);
      if (!base) break;
      const short = push(base, node, false);
      const params = rest.flatMap((r) => (r.type === 'type_parameter' ? named(r) : [r]));
      visitParams(py, short, params, out);
      break;
    }
    case 'subscript': {
      const base = field(node, 'value');
      if (!base) break;
      const short = push(base, node, false);
      visitParams(
        py,
        short,
        node.children.filter((c) => c.field === 'subscript'),
        out,
      );
      break;
    }
    case 'binary_operator':
      typeRefs(py, field(node, 'left'), out);
      typeRefs(py, field(node, 'right'), out);
      break;
    default:
      break; // None, string forward references, literals
  }
  return out;
}

function visitParams(py: PyFile, base: string, params: PyNode[], out: TypeRef[]): void {
  if (base === 'Literal') return;
  if (base === 'Annotated') {
    typeRefs(py, params[0], out);
    return;
  }
  for (const p of params) typeRefs(py, p, out);
}

const MODEL_BASES =
  /(^|\.)(BaseModel|RootModel|TypedDict|NamedTuple|Enum|IntEnum|StrEnum|Flag|IntFlag|BaseSettings|Struct)$/;

/** Whether a class defined in this file serialises as JSON (pydantic model, dataclass, TypedDict...). */
export function isModelClass(py: PyFile, name: string, seen = new Set<string>()): boolean {
  const cls = py.classes.get(name);
  if (!cls || seen.has(name)) return true;
  seen.add(name);
  const dec = cls.parent?.type === 'decorated_definition' ? cls.parent : undefined;
  if (dec && named(dec).some((d) => d.type === 'decorator' && /dataclass/.test(py.text(d)))) return true;
  const supers = field(cls, 'superclasses');
  for (const s of named(supers)) {
    if (s.type === 'keyword_argument') continue;
    const q = py.qualify(s) ?? py.text(s);
    if (MODEL_BASES.test(q) || /(^|\.)Generic$/.test(q)) return true;
    if (py.classes.has(q) && isModelClass(py, q, seen)) return true;
    if (!py.classes.has(q) && s.type !== 'identifier') return true; // imported base: cannot tell
    if (!py.classes.has(q) && py.imports.has(q)) return true;
  }
  return false;
}

const ERROR_TYPES =
  /^(typing\.|collections\.abc\.)?(Callable|IO|TextIO|BinaryIO|Generator|Iterator|AsyncIterator|AsyncGenerator)$|^io\.(BufferedReader|TextIOWrapper|BytesIO|StringIO)$|^socket\.socket$|^sqlite3\.(Connection|Cursor)$/;
const WARN_TYPES = new Set(['bytes', 'bytearray', 'memoryview', 'complex']);
const SET_TYPES = /^(set|frozenset|typing\.(Set|FrozenSet|AbstractSet)|collections\.abc\.(Set|MutableSet))$/;

type Verdict = { severity: 'error' | 'warning' | 'info'; why: string; suggest: string };

/**
 * Whether a class declares annotated attributes (`name: str`). The official SDK (mcp.server.fastmcp
 * / mcp.server.mcpserver) turns such a class into a model: it gets an output schema and its
 * instances serialise as structured content (checked on mcp 2.3). fastmcp 4 does not: it sends
 * the instance's repr.
 */
export function hasAnnotatedFields(py: PyFile, name: string): boolean {
  const cls = py.classes.get(name);
  const body = cls ? field(cls, 'body') : undefined;
  return named(body).some((st) => {
    const a = st.type === 'expression_statement' ? named(st)[0] : undefined;
    return a?.type === 'assignment' && !!field(a, 'type');
  });
}

export function judgeType(py: PyFile, ref: TypeRef, framework?: string, isReturn = true): Verdict | undefined {
  if (ERROR_TYPES.test(ref.name))
    return {
      severity: 'error',
      why: `${ref.short} has no JSON representation`,
      suggest: 'return or accept plain data (str, numbers, lists, dicts, pydantic models)',
    };
  if (WARN_TYPES.has(ref.name))
    return {
      severity: 'warning',
      why: `${ref.name} travels as text, so non-UTF-8 data fails to serialise`,
      suggest: 'use base64 text or the Image/File helpers',
    };
  if (SET_TYPES.test(ref.name))
    return {
      severity: 'info',
      why: `${ref.short} becomes an unordered array and breaks code that json.dumps() results`,
      suggest: `use list[...] instead of ${ref.short}`,
    };
  if (py.classes.has(ref.name) && !isModelClass(py, ref.name)) {
    const annotated = hasAnnotatedFields(py, ref.name);
    if (!isReturn)
      return {
        severity: 'error',
        why: `class ${ref.name} is not a pydantic model, dataclass, TypedDict or Enum, so the input schema cannot be generated: registering the tool raises at import (PydanticSchemaGenerationError on fastmcp 4, PydanticInvalidForJsonSchema on mcp 2.3) and the server never starts`,
        suggest: `make ${ref.name} a BaseModel or @dataclass`,
      };
    if (annotated && framework === 'mcp-python-sdk') return undefined;
    return {
      severity: 'warning',
      why: annotated
        ? `class ${ref.name} is a plain class: fastmcp (checked on 4.0) builds no schema for it and sends an instance as its repr string ("<${ref.name} object at 0x...>"); only the official SDK turns annotated classes into models`
        : `class ${ref.name} is not a pydantic model, dataclass, TypedDict or Enum, so no schema is generated and an instance arrives as its repr string ("<${ref.name} object at 0x...>")`,
      suggest: `make ${ref.name} a BaseModel or @dataclass`,
    };
  }
  return undefined;
}
