import { posix } from "node:path";
import { parseImports } from "./imports.js";
import type { SourceFile } from "./source-tree.js";

/**
 * One import, resolved. `to` is a path in the tree for a relative import that lands on one of its
 * files, and otherwise the specifier as written (a package such as `@threshold/devices`, or a
 * relative path to something that is not TypeScript, such as a `.mjs` worker).
 */
export interface ImportEdge {
  from: string;
  to: string;
  internal: boolean;
  typeOnly: boolean;
  line: number;
}

export interface ImportGraph {
  files: readonly SourceFile[];
  edges: readonly ImportEdge[];
}

/** Reads every file's imports and resolves the relative ones against the tree itself. */
export function buildImportGraph(files: readonly SourceFile[]): ImportGraph {
  const paths = new Set(files.map((file) => file.path));
  const edges: ImportEdge[] = [];
  for (const file of files) {
    for (const ref of parseImports(file.path, file.text)) {
      const target = ref.specifier.startsWith(".") ? resolveRelative(file.path, ref.specifier, paths) : undefined;
      edges.push({
        from: file.path,
        to: target ?? ref.specifier,
        internal: target !== undefined,
        typeOnly: ref.typeOnly,
        line: ref.line,
      });
    }
  }
  return { files, edges };
}

/**
 * The file a relative specifier names, the way our ESM sources write them: `./x.js` for `x.ts`
 * (TypeScript's rule for ESM output), and also `./x`, `./x.ts` and a folder's `index.ts`.
 */
function resolveRelative(from: string, specifier: string, paths: ReadonlySet<string>): string | undefined {
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const stem = base.replace(/\.(js|ts)$/, "");
  const candidates = [`${stem}.ts`, base, `${base}.ts`, `${base}/index.ts`];
  return candidates.find((candidate) => paths.has(candidate));
}
