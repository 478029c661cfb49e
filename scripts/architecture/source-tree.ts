import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

/** One TypeScript file of the tree being checked; `path` is relative to the tree's root, with `/`. */
export interface SourceFile {
  path: string;
  text: string;
}

/**
 * Every `.ts` file under `root`, sorted by path. Sorting here is what makes every report and the
 * baseline come out in the same order on every machine, whatever order the file system lists.
 */
export function readSourceTree(root: string): SourceFile[] {
  const files: SourceFile[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts")) {
        files.push({ path: relative(root, full).split(sep).join("/"), text: readFileSync(full, "utf8") });
      }
    }
  };
  walk(root);
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Lines as `wc -l` counts them, plus a last line without its newline. */
export function lineCount(text: string): number {
  if (text.length === 0) return 0;
  const newlines = text.split("\n").length - 1;
  return text.endsWith("\n") ? newlines : newlines + 1;
}
