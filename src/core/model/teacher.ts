/** Teacher f*(x) = Σₙ bₙ σ(vₙᵀx): r neurons (rows of V, r×d) with output weights b. */
export interface Teacher {
  readonly r: number;
  readonly d: number;
  readonly V: Float64Array;
  readonly b: Float64Array;
}
