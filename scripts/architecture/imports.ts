import ts from "typescript";

/** One import found in a file, before resolution. */
export interface ImportRef {
  specifier: string;
  /**
   * True when nothing is loaded at run time: `import type …`, `export type … from`, `import("…").T`
   * in a type. `import { type A } from "x"` is NOT type-only: under `verbatimModuleSyntax` (our
   * tsconfig) it still loads "x".
   */
  typeOnly: boolean;
  /** 1-based line of the import, for messages. */
  line: number;
}

/**
 * The imports of one file, read with TypeScript's own parser so that comments, strings and
 * template literals that merely look like imports are never mistaken for them. Dynamic
 * `import("…")` calls with a literal specifier count too: a module loaded later is still a
 * dependency.
 */
export function parseImports(path: string, text: string): ImportRef[] {
  const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: ImportRef[] = [];
  const add = (specifier: ts.Node, typeOnly: boolean): void => {
    if (!ts.isStringLiteralLike(specifier)) return;
    const line = source.getLineAndCharacterOfPosition(specifier.getStart(source)).line + 1;
    found.push({ specifier: specifier.text, typeOnly, line });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      add(node.moduleSpecifier, node.importClause?.isTypeOnly === true);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      add(node.moduleSpecifier, node.isTypeOnly);
    } else if (ts.isImportTypeNode(node)) {
      const argument = node.argument;
      if (ts.isLiteralTypeNode(argument)) add(argument.literal, true);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [first] = node.arguments;
      if (first) add(first, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}
