/**
 * Identifiers that are valid Thrift names but keywords or special names in the languages peers
 * generate code in (Python, JavaScript/TypeScript, Java, Go, C++). The IDL generator mixes them
 * into field, type, enum-item, constant, function and parameter names: a peer's code generator
 * must cope with them, or the harness has found a real bug. Names Thrift itself reserves are in
 * THRIFT_KEYWORDS and are never generated.
 */

/**
 * Thrift's own reserved words (Apache's and thriftrw's grammars and our lexer), including
 * deprecated ones some compilers still reserve (`senum`, `slist`, `async`, `xsd_*`, `cpp_type`).
 */
// prettier-ignore
export const THRIFT_KEYWORDS: ReadonlySet<string> = new Set([
  'include', 'cpp_include', 'namespace', 'const', 'typedef', 'enum', 'struct', 'union',
  'exception', 'service', 'extends', 'throws', 'oneway', 'void', 'required', 'optional', 'map',
  'list', 'set', 'bool', 'byte', 'i8', 'i16', 'i32', 'i64', 'double', 'string', 'binary', 'uuid',
  'true', 'false', 'senum', 'slist', 'async', 'cpp_type', 'xsd_all', 'xsd_optional',
  'xsd_nillable', 'xsd_attrs', 'php_namespace', 'py_module', 'perl_package', 'ruby_namespace',
  'smalltalk_category', 'smalltalk_prefix', 'java_package', 'cocoa_prefix', 'csharp_namespace',
  'delphi_namespace',
]);

/** Python's keywords and soft keywords (3.11), builtins and names its Thrift generators use. */
// prettier-ignore
export const PYTHON_NAMES: readonly string[] = [
  // keywords
  'False', 'None', 'True', 'and', 'as', 'assert', 'await', 'break', 'class', 'continue', 'def',
  'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is',
  'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
  // soft keywords, builtins, conventional parameter names
  'match', 'case', 'type', 'self', 'cls', 'print', 'exec', 'object', 'str', 'int', 'dict', 'id',
  'len', 'super', 'kwargs', 'args', 'bytes', 'hash', 'iter', 'next', 'property', 'staticmethod',
  // what generated Python classes define (Apache's thrift_spec/read/write/validate, thriftrw's
  // type_spec/to_primitive/from_primitive, dunder members)
  'thrift_spec', 'read', 'write', 'validate', 'type_spec', 'to_primitive', 'from_primitive',
  '__init__', '__class__', '__dict__', '__slots__', '__module__', '__hash__', '__eq__', '__repr__',
  '__name__', '__spec__', '__doc__',
];

/**
 * JavaScript/TypeScript reserved words and object members. `__proto__` and the members every
 * object inherits from Object.prototype are in JS_OBJECT_PROTOTYPE_NAMES (our codec mishandles
 * them in some positions; see CODEC_MISHANDLED_NAMES).
 */
// prettier-ignore
export const JS_NAMES: readonly string[] = [
  'function', 'var', 'let', 'this', 'typeof', 'instanceof', 'delete', 'new', 'null', 'undefined',
  'NaN', 'Infinity', 'eval', 'arguments', 'export', 'default', 'static', 'implements', 'package',
  'private', 'protected', 'public', 'interface', 'declare', 'readonly', 'keyof', 'never',
  'unknown', 'any', 'number', 'symbol', 'bigint', 'prototype', 'name', 'length', 'caller',
  'message', 'stack', 'cause', 'then', 'catch', 'Symbol', 'Object', 'Array', 'Map', 'Set',
  'Promise', 'Error',
];

/** The members of Object.prototype (and `__proto__`): risky as JavaScript property names. */
// prettier-ignore
export const JS_OBJECT_PROTOTYPE_NAMES: readonly string[] = [
  'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf',
  'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__defineSetter__',
  '__lookupGetter__', '__lookupSetter__', '__proto__',
];

/** Java, Go and C++ keywords and well-known names. */
// prettier-ignore
export const JAVA_GO_CPP_NAMES: readonly string[] = [
  // Java
  'int', 'long', 'short', 'char', 'float', 'boolean', 'final', 'abstract', 'native',
  'synchronized', 'transient', 'volatile', 'throw', 'switch', 'goto', 'String', 'hashCode',
  'getClass', 'notify', 'wait', 'clone', 'finalize',
  // Go
  'func', 'chan', 'go', 'defer', 'select', 'range', 'fallthrough', 'nil', 'iota', 'cap', 'make',
  'error', 'rune', 'uint', 'uintptr', 'complex128',
  // C++
  'auto', 'template', 'typename', 'operator', 'virtual', 'explicit', 'friend', 'mutable',
  'register', 'sizeof', 'unsigned', 'signed', 'nullptr', 'NULL', 'errno', 'std', 'and_eq',
];

/**
 * Names our codec (codec/src) mishandles although they are valid Thrift, by position — known
 * bugs, not a policy: the generator leaves them out there, and harness/test/arbitraries/
 * names.test.ts checks that each still fails, so this list cannot outlive a fix.
 *  - `field` (struct, union and exception fields, function parameters): `__proto__` — classFor
 *    throws "cannot be represented in JavaScript". (The other Object.prototype members,
 *    `constructor`, `toString`, …, were mishandled until the generator found it; fixed.)
 *  - `member` (types, constants, services, functions, enum items): `__proto__` is silently lost
 *    (the assignment sets the module's, enum object's or service object's prototype).
 *  - `structName`: a struct, union or exception named `then` makes the module object a
 *    thenable: `await`ing it (or returning it from an async function) calls the class and throws
 *    "Class constructor … cannot be invoked without 'new'".
 *  - `function`: `__name__`, `__spec__`, `__parent__`, `__functions__` are silently shadowed by
 *    the service object's own hidden members (`Svc.__name__` is the service's name).
 */
export const CODEC_MISHANDLED_NAMES: Readonly<
  Record<'field' | 'member' | 'structName' | 'function', ReadonlySet<string>>
> = {
  field: new Set(['__proto__']),
  member: new Set(['__proto__']),
  structName: new Set(['then']),
  function: new Set(['__name__', '__spec__', '__parent__', '__functions__']),
};

/** Every keyword-like name above (excluding Thrift keywords), in a fixed order, no duplicates. */
export const KEYWORD_NAMES: readonly string[] = [
  ...new Set([...PYTHON_NAMES, ...JS_NAMES, ...JS_OBJECT_PROTOTYPE_NAMES, ...JAVA_GO_CPP_NAMES]),
].filter((n) => !THRIFT_KEYWORDS.has(n));
