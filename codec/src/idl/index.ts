/**
 * Stage 1 of the codec, the Thrift IDL front end: `parse` turns IDL text into an AST,
 * `print` turns an AST back into IDL text, `tokenize` exposes the lexer.
 */
export type * from './ast.js';
export { parse } from './parser.js';
export { print, printType, printConstValue, quote, stripLocations } from './printer.js';
export type { WithoutLocations } from './printer.js';
export { tokenize, KEYWORDS } from './lexer.js';
export type { Token, TokenKind } from './lexer.js';
