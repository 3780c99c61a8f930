// binary-parser 2.3 ships types but its package "exports" do not point at them; this routes the import to them.
declare module 'binary-parser' {
  export { Parser } from 'binary-parser/dist/binary_parser.js';
}
