/** The neuron view's geometry (lab/src/neurons.ts): which plane it draws on, and its SVG. */
import { describe, expect, it } from "vitest";
import {
  leadingDirection,
  neuronColors,
  planeFor,
  project,
  renderCanvas,
  renderSvg,
  sceneOf,
} from "../../lab/src/neurons.js";

const vec = (...x: number[]) => Float64Array.from(x);
const close = (a: ArrayLike<number>, b: number[], tol = 1e-9) =>
  b.forEach((v, k) => {
    expect(Math.abs(a[k] - v), `component ${k}`).toBeLessThan(tol);
  });

describe("the neuron view's plane", () => {
  it("is the input plane itself for d = 2", () => {
    const p = planeFor(2, vec(0.3, 0.4), 1, [vec(1, 2)]);
    expect(p.note).toMatch(/^exact/);
    expect(project(p, vec(0.3, -0.7), 0, 2)).toEqual([0.3, -0.7]);
  });

  it("for one teacher neuron in d > 2: its direction and the students' leading principal direction ⟂ it", () => {
    // students: mostly along e₃ off the teacher's e₁, a little along e₄
    const students = [vec(0.5, 0, 2, 0.1, 0), vec(0.2, 0, -1.5, 0, 0), vec(1, 0, 0.1, -0.1, 0)];
    const p = planeFor(5, vec(2, 0, 0, 0, 0), 1, students);
    close(p.e1, [1, 0, 0, 0, 0]);
    expect(Math.abs(p.e2[2])).toBeGreaterThan(0.99);
    expect(Math.abs(p.e2[0])).toBeLessThan(1e-12);
    expect(p.note).toContain("leading principal direction ⟂ v̄");
    // the teacher lies on the x axis with its norm; ⟨e₁, e₂⟩ = 0
    const [x, y] = project(p, vec(2, 0, 0, 0, 0), 0, 5);
    expect(x).toBeCloseTo(2, 12);
    expect(y).toBeCloseTo(0, 12);
    // the sign is kept from a previous plane
    const flipped = { ...p, e2: p.e2.map((v) => -v) };
    expect(planeFor(5, vec(2, 0, 0, 0, 0), 1, students, flipped).e2[2]).toBeCloseTo(
      flipped.e2[2],
      9,
    );
  });

  it("finds the top eigenvector of Σ ppᵀ (power iteration against a known answer)", () => {
    // Σ ppᵀ over (3, 4, 0) and (0, 0, 1): eigenvalues 25 and 1, top eigenvector (0.6, 0.8, 0)
    const v = leadingDirection([vec(3, 4, 0), vec(0, 0, 1)], 3, [])!;
    close(v.map(Math.abs), [0.6, 0.8, 0]);
    expect(leadingDirection([vec(2, 0, 0)], 3, [vec(1, 0, 0)])).toBeNull();
  });

  it("spans the first two teacher neurons when there are several; the students' two PCs when there are none", () => {
    const V = vec(1, 1, 0, 0, /* v₂ */ 0, 1, 0, 0, /* v₃ */ 0, 0, 1, 0);
    const p = planeFor(4, V, 3, []);
    close(p.e1, [Math.SQRT1_2, Math.SQRT1_2, 0, 0]);
    close(p.e2.map(Math.abs), [Math.SQRT1_2, Math.SQRT1_2, 0, 0]);
    expect(p.e1[0] * p.e2[0] + p.e1[1] * p.e2[1]).toBeCloseTo(0, 12);
    expect(p.note).toContain("(of 3; the others are projected too)");
    const q = planeFor(3, null, 0, [vec(0, 0, 5), vec(0, 1, 0), vec(0, -1, 0)]);
    close(q.e1.map(Math.abs), [0, 0, 1]);
    close(q.e2.map(Math.abs), [0, 1, 0]);
    expect(q.axes).toEqual(["PC₁", "PC₂"]);
  });
});

describe("the neuron picture", () => {
  it("draws teachers and students the same in SVG as on canvas (one list of primitives)", () => {
    const scene = sceneOf(
      {
        teachers: [[1, 0]],
        paths: [
          [
            [0.1, 0.1],
            [0.5, 0.2],
            [0.9, 0.05],
          ],
        ],
        frame: 1,
        colors: neuronColors(1),
        axes: ["x₁", "x₂"],
        caption: "step 10 <&>",
      },
      300,
      300,
    );
    const svg = renderSvg(scene);
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain("step 10 &#60;&#38;&#62;");
    // a path up to the frame shown: two points, not three
    const path = scene.items.find((i) => i.kind === "line" && i.alpha === 0.45);
    expect(path?.kind === "line" && path.points.length).toBe(2);
    // the student's arrow ends at its position at frame 1; the teacher's at (1, 0), the extent
    const lines = scene.items.filter((i) => i.kind === "line" && !i.fill && i.points.length === 2);
    const ends = lines.map((l) => (l.kind === "line" ? l.points[1] : [0, 0]));
    const scale = (150 - 28) / 1;
    expect(ends).toContainEqual([150 + scale, 150]);
    expect(ends).toContainEqual([150 + 0.5 * scale, 150 - 0.2 * scale]);
    const calls: string[] = [];
    const pen = new Proxy(
      {},
      {
        get:
          (_t, name) =>
          (...args: unknown[]) =>
            void calls.push(`${String(name)}(${args.length})`),
        set: () => true,
      },
    );
    // biome-ignore lint/suspicious/noExplicitAny: a recording stand-in for a canvas context
    renderCanvas(scene, pen as any);
    expect(calls.filter((c) => c.startsWith("stroke")).length).toBeGreaterThan(3);
  });
});
