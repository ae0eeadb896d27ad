/**
 * Words Apache Thrift's compiler (0.17, compiler/cpp/src/thrift/thriftl.ll) refuses as names in
 * any IDL ("Cannot use reserved language keyword"), whatever the target language. Generated IDL
 * for an Apache peer avoids them; thriftrw accepts them, so IDL for thriftrw peers keeps them
 * (a code generator that must cope with them is tested that way).
 */
// prettier-ignore
export const APACHE_RESERVED_NAMES: ReadonlySet<string> = new Set([
  'BEGIN', 'END', '__CLASS__', '__DIR__', '__FILE__', '__FUNCTION__', '__LINE__', '__METHOD__',
  '__NAMESPACE__', 'abstract', 'alias', 'and', 'args', 'as', 'assert', 'begin', 'break', 'case',
  'catch', 'class', 'clone', 'continue', 'declare', 'def', 'default', 'del', 'delete', 'do',
  'dynamic', 'elif', 'else', 'elseif', 'elsif', 'end', 'enddeclare', 'endfor', 'endforeach',
  'endif', 'endswitch', 'endwhile', 'ensure', 'except', 'exec', 'finally', 'float', 'for',
  'foreach', 'from', 'function', 'global', 'goto', 'if', 'implements', 'import', 'in', 'inline',
  'instanceof', 'interface', 'is', 'lambda', 'module', 'native', 'new', 'next', 'nil', 'not', 'or',
  'package', 'pass', 'public', 'print', 'private', 'protected', 'raise', 'redo', 'rescue', 'retry',
  'register', 'return', 'self', 'sizeof', 'static', 'super', 'switch', 'synchronized', 'then',
  'this', 'throw', 'transient', 'try', 'undef', 'unless', 'unsigned', 'until', 'use', 'var',
  'virtual', 'volatile', 'when', 'while', 'with', 'xor', 'yield',
]);
