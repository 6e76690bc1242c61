import type { Activation } from "../activations/types.js";
import type { Sample } from "../losses/empirical.js";
import type { Teacher } from "../model/teacher.js";
import type { Rng } from "../random/rng.js";

export type InputDistribution = "gaussian" | "sphere";

/** N rows of N(0, I_d) or of the uniform distribution on the unit sphere (a normalized Gaussian). */
export function sampleInputs(
  n: number,
  d: number,
  distribution: InputDistribution,
  rng: Rng,
): Float64Array {
  const X = new Float64Array(n * d);
  rng.fillNormal(X);
  if (distribution === "sphere") {
    for (let k = 0; k < n; k++) {
      let s = 0;
      for (let q = 0; q < d; q++) s += X[k * d + q] * X[k * d + q];
      const f = 1 / Math.sqrt(s);
      for (let q = 0; q < d; q++) X[k * d + q] *= f;
    }
  }
  return X;
}

/** Teacher outputs f*(xₖ) = Σₙ bₙσ(vₙᵀxₖ), or N(0, std²) noise when there is no teacher. */
export function teacherLabels(
  X: Float64Array,
  n: number,
  d: number,
  teacher: Teacher | null,
  activation: Activation,
  rng: Rng,
  noiseStd = 1,
): Float64Array {
  const y = new Float64Array(n);
  if (!teacher) {
    for (let k = 0; k < n; k++) y[k] = noiseStd * rng.normal();
    return y;
  }
  for (let k = 0; k < n; k++) {
    let f = 0;
    for (let t = 0; t < teacher.r; t++) {
      let z = 0;
      for (let q = 0; q < d; q++) z += teacher.V[t * d + q] * X[k * d + q];
      f += teacher.b[t] * activation.value(z);
    }
    y[k] = f;
  }
  return y;
}

export function makeSample(
  n: number,
  d: number,
  distribution: InputDistribution,
  teacher: Teacher | null,
  activation: Activation,
  rng: Rng,
  noiseStd = 1,
): Sample {
  const X = sampleInputs(n, d, distribution, rng);
  return { n, d, X, y: teacherLabels(X, n, d, teacher, activation, rng, noiseStd) };
}
