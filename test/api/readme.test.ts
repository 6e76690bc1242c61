import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "../..");
/** Inside the package, so `import … from "overparam"` resolves to it by self-reference. */
const scratch = path.join(root, "test/.readme-examples");

/** The ```js blocks of the README's "Use it as a library" section. */
function libraryExamples(): string[] {
  const readme = readFileSync(path.join(root, "README.md"), "utf8");
  const start = readme.indexOf("## Use it as a library");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end);
  return [...section.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]);
}

describe("README library examples", () => {
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const examples = libraryExamples();

  it("exist", () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
  });

  for (const [k, code] of examples.entries())
    it(`example ${k + 1} runs from plain Node ESM`, () => {
      mkdirSync(scratch, { recursive: true });
      const file = path.join(scratch, `example-${k + 1}.mjs`);
      writeFileSync(file, code);
      const r = spawnSync("node", [file], { encoding: "utf8", cwd: root });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/completed|interrupted/);
    });
});
