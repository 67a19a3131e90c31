import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

// The shape of the code, checked: no module imports itself round a loop, lib/workflow never
// reaches into lib/integrations or lib/catalog (the catalog is handed to it), and nothing
// registers itself by being imported (there is no registry to register in).

const root = process.cwd();
const sourceDirs = ["lib", "app", "components", "cli", "trigger"];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "generated" || entry.name === "node_modules" ? [] : sourceFiles(relative);
    return /\.(ts|tsx)$/.test(entry.name) && !/\.test\.tsx?$/.test(entry.name) ? [relative] : [];
  });
}

function resolve(from: string, specifier: string): string | null {
  const base = specifier.startsWith("@/") ? specifier.slice(2) : specifier.startsWith(".") ? path.join(path.dirname(from), specifier) : null;
  if (base === null) return null;
  for (const candidate of [base, `${base}.ts`, `${base}.tsx`, path.join(base, "index.ts"), path.join(base, "index.tsx")]) {
    if (fs.existsSync(path.join(root, candidate)) && fs.statSync(path.join(root, candidate)).isFile()) return path.normalize(candidate);
  }
  return null;
}

/** Imports that exist at run time: `import type` / `export type` and all-type specifier lists are erased. */
function runtimeImports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), "utf8");
  const found: string[] = [];
  const statement = /^\s*(import|export)\s+(type\s+)?([^;'"]*?)\s*from\s*["']([^"']+)["']|^\s*import\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;
  for (const match of text.matchAll(statement)) {
    const [, , typeOnly, clause, fromSpecifier, bareSpecifier, dynamicSpecifier] = match;
    if (typeOnly) continue;
    const braces = /^\{([\s\S]*)\}$/.exec((clause ?? "").trim());
    if (
      braces &&
      braces[1]!
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean)
        .every((s) => s.startsWith("type "))
    )
      continue;
    const target = resolve(file, (fromSpecifier ?? bareSpecifier ?? dynamicSpecifier)!);
    if (target) found.push(target);
  }
  return found;
}

const files = sourceDirs.flatMap(sourceFiles);
const graph = new Map(files.map((file) => [file, runtimeImports(file)]));
const inFolder = (file: string, folder: string) => file.startsWith(`${folder}${path.sep}`);

describe("import graph", () => {
  it("reads the whole source tree", () => {
    expect(graph.size).toBeGreaterThan(150);
    expect(graph.get(path.join("lib", "catalog", "index.ts"))).toContain(path.join("lib", "catalog", "providers.ts"));
  });

  it("has no cycle between modules", () => {
    const state = new Map<string, "open" | "done">();
    const cycles: string[] = [];
    const visit = (file: string, trail: string[]) => {
      if (state.get(file) === "done") return;
      if (state.get(file) === "open") {
        cycles.push([...trail.slice(trail.indexOf(file)), file].join(" → "));
        return;
      }
      state.set(file, "open");
      for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
      state.set(file, "done");
    };
    for (const file of graph.keys()) visit(file, []);
    expect(cycles).toEqual([]);
  });

  it("lib/workflow imports nothing from lib/integrations or lib/catalog (it is handed the catalog)", () => {
    const crossings = [...graph].flatMap(([file, imports]) =>
      inFolder(file, path.join("lib", "workflow"))
        ? imports
            .filter((target) => inFolder(target, path.join("lib", "integrations")) || inFolder(target, path.join("lib", "catalog")))
            .map((target) => `${file} → ${target}`)
        : [],
    );
    expect(crossings).toEqual([]);
  });

  it("no module is imported only for its side effects", () => {
    const bare = files.flatMap((file) =>
      [...fs.readFileSync(path.join(root, file), "utf8").matchAll(/^\s*import\s*["'](@\/[^"']+|\.[^"']+)["'];?$/gm)].map((m) => `${file}: ${m[1]}`),
    );
    // Stylesheets are the one thing imported for their effect.
    expect(bare.filter((line) => !line.endsWith(".css"))).toEqual([]);
  });
});
