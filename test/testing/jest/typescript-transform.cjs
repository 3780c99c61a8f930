/**
 * Jest transform for the ESM sample: TypeScript's own transpileModule, types stripped, import/export kept.
 * Hand-written (five lines) rather than ts-jest: the sample only needs types removed, and typescript is here already.
 */
const ts = require('typescript');

module.exports = {
  process(source, fileName) {
    const { outputText } = ts.transpileModule(source, {
      fileName,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: false },
    });
    return { code: outputText };
  },
};
