/**
 * The fast-check arbitraries of the harness (`thrift-conform/arbitraries`), for property tests of
 * your own: random Thrift IDL (`idlArb`, printed with `printIdl`), and random values of a compiled
 * struct type (`structArb`, `valueArb`), edge values first. See examples/property-test/.
 */
export { echoFunctionName, idlArb, printIdl, programArb } from './idl.js';
export type { GeneratedIdl, IdlArbOptions, ProgramArbOptions } from './idl.js';
export { structArb, structRank, valueArb } from './values.js';
export type { ValueArbOptions } from './values.js';
export { KEYWORD_NAMES, THRIFT_KEYWORDS } from './names.js';
