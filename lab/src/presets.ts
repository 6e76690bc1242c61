import presetTexts from "virtual:presets";

/**
 * What to look for in each paper preset, two lines each (shown under the preset picker). The
 * preset files themselves stay the CLI's; these words are the lab's.
 */
const explanations: Record<string, string> = {
  "xd-fig1":
    "One ReLU teacher neuron, students of width n = 1…5 on the population loss (Xu & Du, COLT 2023).\nn = 1 converges linearly; for n ≥ 2 the loss slows to a T⁻³ tail: compare with the T⁻³ reference line.",
  "xd-toy":
    "XD's three toy starts: a mirror-symmetric pair, all students parallel, all equal.\nWatch which cases keep the T⁻³ rate and which fall back to a linear (exponential) decay.",
  "wa-fig1":
    "A quadratic-activation student with K = 1, 3, 10 neurons learns one teacher neuron by GD (Wang & Abernethy).\nThe loss plateaus near the saddle at the origin, then drops; wa_dist tracks how far the students are from the teacher.",
  "wa-fig6":
    "The WA Fig. 1 setting over step sizes η from 1.0 to 0.001 (30 runs: pick a few with the sweep).\nLarge η escapes the saddle fast or diverges; wa_hessian_form turns positive when the curvature condition holds.",
  "du-fig1":
    "Wide ReLU networks in the NTK scaling fit pure-noise labels on the sphere (Du et al.).\nThe wider the network, the fewer activation patterns flip (du_flips) and the less the Gram matrix moves.",
  "zgj-fig1":
    "20 absolute-value students and 3 teachers in 2-D from three starts: large (lazy), small (mean-field) and near the teachers (local).\nThe loss curves differ by regime; zgj_matching shows how the students group around the teachers.",
  "zgj-claim2":
    "Two students at angles ±δ to one teacher, norms chosen so their sum is the teacher: no training (steps = 0).\nThe loss scales like δ³ across the sweep; compare the final losses of the runs.",
};

export interface Preset {
  name: string;
  text: string;
  explain: string;
}

export const presets: Preset[] = Object.entries(presetTexts)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([name, text]) => ({
    name,
    text,
    explain: explanations[name] ?? firstDescription(text),
  }));

export function findPreset(name: string): Preset | undefined {
  return presets.find((p) => p.name === name);
}

function firstDescription(text: string): string {
  const m = text.match(/^description:\s*"?(.*?)"?\s*$/m);
  return m ? m[1] : "";
}
