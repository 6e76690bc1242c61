import type { Teacher } from "../model/teacher.js";
import type { Rng } from "../random/rng.js";
import type { TeacherConfig } from "../spec.js";
import { type ArrayStore, getArray } from "./arrays.js";

/** Builds the teacher network of a spec; null for pure-noise labels. */
export function buildTeacher(
  spec: TeacherConfig,
  d: number,
  rng: Rng,
  arrays: ArrayStore,
): Teacher | null {
  switch (spec.kind) {
    case "noise":
      return null;
    case "single": {
      const V = new Float64Array(d);
      V[0] = spec.norm;
      return { r: 1, d, V, b: new Float64Array([spec.outputWeight]) };
    }
    case "random": {
      const r = spec.neurons;
      const V = new Float64Array(r * d);
      for (let n = 0; n < r; n++) randomDirection(rng, V, n * d, d, spec.norm);
      return { r, d, V, b: outputWeights(spec.outputWeights, r, rng) };
    }
    case "separated": {
      const r = spec.neurons;
      const V = separatedDirections(r, d, spec.separation, rng);
      for (let k = 0; k < V.length; k++) V[k] *= spec.norm;
      return { r, d, V, b: outputWeights(spec.outputWeights, r, rng) };
    }
    case "explicit": {
      let V: Float64Array;
      let r: number;
      if (typeof spec.neurons === "string") {
        const a = getArray(arrays, spec.neurons);
        r = a.shape.length === 1 ? 1 : a.shape[0];
        V = new Float64Array(a.data);
      } else {
        r = spec.neurons.length;
        V = new Float64Array(r * d);
        spec.neurons.forEach((row, n) => {
          V.set(row, n * d);
        });
      }
      let b: Float64Array;
      if (spec.outputWeights === undefined) b = new Float64Array(r).fill(1);
      else if (typeof spec.outputWeights === "string")
        b = new Float64Array(getArray(arrays, spec.outputWeights).data);
      else b = new Float64Array(spec.outputWeights);
      return { r, d, V, b };
    }
  }
}

function outputWeights(w: "ones" | "signs" | number[], r: number, rng: Rng): Float64Array {
  if (w === "ones") return new Float64Array(r).fill(1);
  if (w === "signs") return Float64Array.from({ length: r }, () => rng.sign());
  return new Float64Array(w);
}

/** Writes norm·(uniform random unit vector) into out[o..o+d). */
export function randomDirection(rng: Rng, out: Float64Array, o: number, d: number, norm = 1): void {
  let s = 0;
  do {
    s = 0;
    for (let k = 0; k < d; k++) {
      out[o + k] = rng.normal();
      s += out[o + k] * out[o + k];
    }
  } while (s === 0);
  const f = norm / Math.sqrt(s);
  for (let k = 0; k < d; k++) out[o + k] *= f;
}

/**
 * r unit vectors with every pairwise angle in [Δ, π − Δ] (ZGJ Assumption 1), by rejection
 * sampling of uniform directions. Fails with a clear message when Δ is too large to be
 * reached (e.g. Δ > π/r in two dimensions).
 */
export function separatedDirections(r: number, d: number, delta: number, rng: Rng): Float64Array {
  const V = new Float64Array(r * d);
  const maxTries = 100_000;
  for (let attempt = 0; attempt < maxTries; attempt++) {
    for (let n = 0; n < r; n++) randomDirection(rng, V, n * d, d);
    let ok = true;
    for (let i = 0; i < r && ok; i++) {
      for (let j = i + 1; j < r && ok; j++) {
        let c = 0;
        for (let k = 0; k < d; k++) c += V[i * d + k] * V[j * d + k];
        const phi = Math.acos(Math.max(-1, Math.min(1, c)));
        if (phi < delta || phi > Math.PI - delta) ok = false;
      }
    }
    if (ok) return V;
  }
  throw new RangeError(
    `teacher.separation: could not draw ${r} directions in d = ${d} with pairwise angles in [Δ, π − Δ] for Δ = ${delta}; use a smaller separation`,
  );
}
