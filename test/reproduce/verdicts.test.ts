/**
 * The verdict rules, fed synthetic runs whose answer is known: a clean T⁻³ tail, an
 * exponential tail, widths whose flips shrink or grow, a δ³ or δ² loss, missing runs.
 */
import { describe, expect, it } from "vitest";
import type { Verdict } from "../../src/analysis/verdict.js";
import type { LoadedRun } from "../../src/reproduce/load.js";
import { findPaper } from "../../src/reproduce/papers/index.js";
import { definePaper } from "../../src/reproduce/papers/types.js";
import { type Job, planReproduction } from "../../src/reproduce/plan.js";

function logGrid(last: number, perDecade = 20): number[] {
  const xs = new Set<number>([0]);
  for (let k = 0; k <= perDecade * Math.log10(last); k++) xs.add(Math.round(10 ** (k / perDecade)));
  xs.add(last);
  return [...xs].sort((a, b) => a - b);
}

function fake(
  job: Job,
  columns: Record<string, number[]>,
  extra: Partial<LoadedRun> = {},
): LoadedRun {
  const cols = Object.fromEntries(
    Object.entries(columns).map(([k, v]) => [k, Float64Array.from(v)]),
  );
  return {
    job,
    status: "completed",
    reason: "synthetic",
    summary: {},
    wallSeconds: 1,
    columns: cols,
    rows: columns.step.length,
    ...extra,
  };
}

/** Claim ids whose rule some test below checks (every claim must have one: see the end). */
const tested = new Set<string>();
const find = (vs: Verdict[], text: string): Verdict => {
  const v = vs.find((x) => x.claim.includes(text) || x.id === text);
  if (!v)
    throw new Error(`no verdict mentioning "${text}" in ${vs.map((x) => x.claim).join(" | ")}`);
  if (v.status !== "failed") tested.add(v.id);
  return v;
};
const width = (j: Job) => j.spec.student.width;

describe("XD verdicts", async () => {
  const plan = await planReproduction(["xd"], "quick");
  const xd = findPaper("xd")!;
  const fig1 = plan.jobs.filter((j) => j.preset === "xd-fig1");
  const toy = plan.jobs.filter((j) => j.preset === "xd-toy");
  const steps = logGrid(200_000);
  const eta = 0.05;
  const poly = (c: number) => steps.map((s) => c * Math.max(eta * s, 1) ** -3);
  const expo = steps.map((s) => Math.max(Math.exp(-0.002 * s), 1e-31));
  const rate = (loss: number[]) =>
    loss.map((l, i) => (steps[i] > 20 ? Math.log(l) / Math.log(eta * steps[i]) : Number.NaN));
  const runsFor = (lossOf: (n: number) => number[]) => [
    ...fig1.map((j) => {
      const loss = lossOf(width(j));
      return fake(j, {
        step: steps,
        loss,
        xd_rate: rate(loss),
        xd_Z: steps.map((s) => 1 / Math.max(eta * s, 1)),
      });
    }),
    ...toy.map((j) => {
      const c = (j.spec.student.init as { case: number }).case;
      return fake(j, { step: steps, loss: c === 1 ? poly(1) : expo });
    }),
  ];

  it("a clean T⁻³ tail for n ≥ 2 and an exponential one for n = 1 reproduce Fig. 1", () => {
    const vs = xd.verdicts({
      mode: "quick",
      runs: runsFor((n) => (n === 1 ? expo : poly(0.5 * n))),
    });
    expect(find(vs, "Θ(T⁻³)").status).toBe("reproduced");
    expect(find(vs, "Θ(T⁻³)").measured).toMatch(/n=2: -3/);
    expect(find(vs, "n = 1 student").status).toBe("reproduced");
    expect(find(vs, "log_{ηT} L(T)").status).toBe("reproduced");
    expect(find(vs, "toy case 1").status).toBe("reproduced");
    expect(find(vs, "toy cases 2").status).toBe("reproduced");
    expect(find(vs, "Z(t) = Ω(1/t)").status).toBe("reproduced");
  });

  it("exponential tails for n ≥ 2 do not reproduce the T⁻³ claim; a T⁻² tail does not either", () => {
    const vs = xd.verdicts({ mode: "quick", runs: runsFor(() => expo) });
    expect(find(vs, "Θ(T⁻³)").status).toBe("not reproduced");
    const vs2 = xd.verdicts({
      mode: "quick",
      runs: runsFor((n) => (n === 1 ? expo : steps.map((s) => Math.max(eta * s, 1) ** -2))),
    });
    expect(find(vs2, "Θ(T⁻³)").status).toBe("not reproduced");
    expect(find(vs2, "log_{ηT} L(T)").status).toBe("not reproduced");
  });

  it("every XD row states its seed count, or why one run is not a single draw", () => {
    const vs = xd.verdicts({
      mode: "quick",
      runs: runsFor((n) => (n === 1 ? expo : poly(0.5 * n))),
    });
    // rows without data (presets not faked here) cannot state seeds
    for (const v of vs.filter((x) => x.status !== "failed"))
      expect(`${v.measured} ${v.note ?? ""}`).toMatch(/\d seeds?|no single draw/);
    expect(find(vs, "Θ(T⁻³)").measured).toMatch(/\(3 seeds per n\)/);
  });

  it("XD Thm. 14 and Thm. 7: L/Z³ and ‖∇L‖/L^{2/3} that stay bounded reproduce; decaying ratios do not", () => {
    /** n ≥ 2 runs with L ∝ T⁻³, Z ∝ T^(−zPower), ‖∇L‖ ∝ L^gradPower. */
    const runs = (zPower: (n: number) => number, gradPower: number) =>
      fig1
        .filter((j) => width(j) >= 2)
        .map((j) => {
          const loss = poly(1);
          return fake(j, {
            step: steps,
            loss,
            grad_norm: loss.map((l) => l ** gradPower),
            xd_Z: steps.map((s) => Math.max(eta * s, 1) ** -zPower(width(j))),
          });
        });
    const v = (id: string, zPower: (n: number) => number, gradPower: number) =>
      find(xd.verdicts({ mode: "quick", runs: runs(zPower, gradPower) }), id).status;
    expect(v("xd-thm14-lower-bound", () => 1, 2 / 3)).toBe("reproduced");
    expect(v("xd-thm14-lower-bound", (n) => (n === 2 ? 1 : 0.5), 2 / 3)).toBe("partly");
    expect(v("xd-thm14-lower-bound", () => 0.5, 2 / 3)).toBe("not reproduced");
    expect(v("xd-thm7-gradient", () => 1, 2 / 3)).toBe("reproduced");
    expect(v("xd-thm7-gradient", () => 1, 1)).toBe("not reproduced");
  });

  it("XD n-scaling: a T⁻³ constant growing like n² (inside Thm. 9's n⁴) reproduces; like n⁶, not; a non-T⁻³ tail, partly", async () => {
    const all = (await planReproduction(["xd"], "quick")).jobs;
    const nJobs = all.filter((j) => j.preset === "xd-fig1" || j.preset === "xd-nscaling");
    const runs = (p: number, expoAt = 0) =>
      nJobs.map((j) =>
        fake(j, { step: steps, loss: width(j) === expoAt ? expo : poly(width(j) ** p) }),
      );
    const v = (p: number, expoAt?: number) =>
      find(xd.verdicts({ mode: "quick", runs: runs(p, expoAt) }), "xd-nscaling-constant");
    expect(v(2).status).toBe("reproduced");
    expect(v(2).measured).toMatch(/^fitted power of n 2(\.0\d*)?;/);
    expect(v(6).status).toBe("not reproduced");
    expect(v(2, 8).status).toBe("partly");
  });

  it("XD gradient flow: t⁻³ for n ≥ 2 and linear for n = 1 reproduces; exponential everywhere is partly", async () => {
    const flowJobs = (await planReproduction(["xd"], "quick")).jobs.filter(
      (j) => j.preset === "xd-flow",
    );
    const ts = logGrid(10_000).map((t) => t / 10);
    const runs = (many: "poly" | "expo", one: "poly" | "expo" = "expo") =>
      flowJobs.map((j) => {
        const kind = width(j) === 1 ? one : many;
        const loss = ts.map((t) =>
          kind === "poly" ? Math.max(t, 1) ** -3 : Math.max(Math.exp(-0.05 * t), 1e-31),
        );
        return fake(j, { step: ts.map((_, i) => i), time: ts, loss });
      });
    const v = (many: "poly" | "expo", one?: "poly" | "expo") =>
      find(xd.verdicts({ mode: "quick", runs: runs(many, one) }), "xd-flow-cubic").status;
    expect(v("poly")).toBe("reproduced");
    expect(v("expo")).toBe("partly");
    expect(v("expo", "poly")).toBe("not reproduced");
  });

  it("only some n with T⁻³ is 'partly'", () => {
    const vs = xd.verdicts({ mode: "quick", runs: runsFor((n) => (n <= 3 ? poly(1) : expo)) });
    expect(find(vs, "Θ(T⁻³)").status).toBe("partly");
  });

  it("missing runs make a claim 'failed', never 'reproduced'", () => {
    const vs = xd.verdicts({ mode: "quick", runs: [] });
    expect(vs.length).toBeGreaterThanOrEqual(6);
    for (const v of vs) expect(v.status).toBe("failed");
    const crashed = runsFor(() => expo).map((r) => ({ ...r, status: "failed", rows: 0 }));
    for (const v of xd.verdicts({ mode: "quick", runs: crashed })) expect(v.status).toBe("failed");
  });
});

describe("ZGJ Claim 2 verdict", async () => {
  const plan = await planReproduction(["zgj"], "quick");
  const zgj = findPaper("zgj")!;
  const claim2 = plan.jobs.filter((j) => j.preset === "zgj-claim2");
  const delta = (j: Job) => (j.spec.student.init as { delta: number }).delta;
  const runs = (power: number) =>
    claim2.map((j) => fake(j, { step: [0], loss: [0.02 * delta(j) ** power] }));
  it("loss ∝ δ³ reproduces the slope; δ² does not", () => {
    expect(find(zgj.verdicts({ mode: "quick", runs: runs(3) }), "Claim 2").status).toBe(
      "reproduced",
    );
    expect(find(zgj.verdicts({ mode: "quick", runs: runs(3) }), "Claim 2").measured).toMatch(
      /^slope 3\.000/,
    );
    expect(find(zgj.verdicts({ mode: "quick", runs: runs(2) }), "Claim 2").status).toBe(
      "not reproduced",
    );
  });
});

describe("ZGJ Claim 1 verdict", async () => {
  const plan = await planReproduction(["zgj"], "quick");
  const zgj = findPaper("zgj")!;
  const job = plan.jobs.find((j) => j.preset === "zgj-claim1")!;
  const c = Math.sqrt(3) / 2;
  /** Final students: at −wᵢ* (the paper's point), or with the first on its teacher w₁* = e₁. */
  const run = (loss: number, firstOnTeacher: boolean, allOnTeachers = false) => {
    const W = allOnTeachers
      ? [1, 0, -0.5, c, -0.5, -c]
      : [firstOnTeacher ? 1 : -1, 0, 0.5, -c, 0.5, c];
    const cols: Record<string, number[]> = { step: [0], loss: [loss] };
    for (let i = 0; i < 3; i++) for (let k = 0; k < 2; k++) cols[`w[${i}][${k}]`] = [W[2 * i + k]];
    return [fake(job, cols)];
  };
  it("zero loss with every student off the teachers reproduces; some on: partly; positive loss or all on: not", () => {
    const v = find(zgj.verdicts({ mode: "quick", runs: run(-1.4e-16, false) }), "zgj-claim1-relu");
    expect(v.status).toBe("reproduced");
    expect(v.measured).toContain("1.047, 1.047, 1.047 rad (3/3 on no teacher");
    expect(
      find(zgj.verdicts({ mode: "quick", runs: run(1e-17, true) }), "zgj-claim1-relu").status,
    ).toBe("partly");
    expect(
      find(zgj.verdicts({ mode: "quick", runs: run(1e-3, false) }), "zgj-claim1-relu").status,
    ).toBe("not reproduced");
    expect(
      find(zgj.verdicts({ mode: "quick", runs: run(0, false, true) }), "zgj-claim1-relu").status,
    ).toBe("not reproduced");
  });
});

describe("ZGJ §4 exact-parameterization verdict", async () => {
  const plan = await planReproduction(["zgj"], "quick");
  const zgj = findPaper("zgj")!;
  const exact = plan.jobs.filter((j) => j.preset === "zgj-exact");
  const delta = (j: Job) => {
    const i = j.spec.student.init as { lambda1: number; lambda2: number };
    return Math.atan2(i.lambda2, i.lambda1);
  };
  const runs = (power: number) =>
    exact.map((j) => fake(j, { step: [0], loss: [0.5 * delta(j) ** power] }));
  it("loss ∝ δ² reproduces §4's exact case; δ³ (the over-parameterized pair) does not", () => {
    expect(exact.length).toBe(8);
    const v = find(zgj.verdicts({ mode: "quick", runs: runs(2) }), "zgj-sec4-exact-quadratic");
    expect(v.status).toBe("reproduced");
    expect(v.measured).toMatch(/^slope 2\.000/);
    expect(
      find(zgj.verdicts({ mode: "quick", runs: runs(3) }), "zgj-sec4-exact-quadratic").status,
    ).toBe("not reproduced");
  });
});

describe("DU verdicts", async () => {
  const plan = await planReproduction(["du"], "quick");
  const du = findPaper("du")!;
  const jobs = plan.jobs.filter((j) => j.preset === "du-fig1");
  const steps = logGrid(100, 10);
  const runs = (
    flipOf: (m: number) => number,
    lambda0 = 0.2,
    rate = (m: number) => 0.05 + m * 1e-5,
  ) =>
    jobs.map((j) => {
      const m = width(j);
      return fake(
        j,
        {
          step: steps,
          loss: steps.map((k) => 100 * Math.exp(-rate(m) * k)),
          du_flip_fraction: steps.map((k) => (flipOf(m) * k) / 100),
          du_max_distance: steps.map((k) => (flipOf(m) * k) / 10),
          du_gram_min_eig: steps.map(() => 0.8 * lambda0),
        },
        { summary: { du_lambda0: lambda0 } },
      );
    });
  it("flips and distance shrinking with m reproduce Fig. 1b/c; growing does not", () => {
    const good = du.verdicts({ mode: "quick", runs: runs((m) => 1 / m) });
    expect(find(good, "fewer activation patterns").status).toBe("reproduced");
    expect(find(good, "smaller maximum distance").status).toBe("reproduced");
    expect(find(good, "converges faster").status).toBe("reproduced");
    expect(find(good, "λ_min(H(k)) stays").status).toBe("reproduced");
    const bad = du.verdicts({ mode: "quick", runs: runs((m) => m) });
    expect(find(bad, "fewer activation patterns").status).toBe("not reproduced");
  });
  it("every DU row states its seed count per width", () => {
    for (const v of du.verdicts({ mode: "quick", runs: runs((m) => 1 / m) }))
      if (v.status !== "failed") expect(v.measured).toMatch(/\(3 seeds per m\)/);
  });
  it("DU Cor. 4.1: distances below R′ reproduce, far above it do not", () => {
    expect(
      find(du.verdicts({ mode: "quick", runs: runs((m) => 1 / m) }), "du-cor41-radius").status,
    ).toBe("reproduced");
    expect(
      find(du.verdicts({ mode: "quick", runs: runs((m) => m) }), "du-cor41-radius").status,
    ).toBe("not reproduced");
    const env = find(du.verdicts({ mode: "quick", runs: runs((m) => 1 / m) }), "Thm. 4.1");
    expect(env.measured).toMatch(/of n⁶\/\(λ₀⁴δ³\).*stated, not judged/);
  });
  it("DU Lemma 3.1: ‖H(0) − H^∞‖ ∝ 1/√m reaching λ₀/4 reproduces; ∝ 1/√m above it partly; flat, not", async () => {
    const jobs31 = (await planReproduction(["du"], "quick")).jobs.filter(
      (j) => j.preset === "du-lemma31",
    );
    const runs = (dev: (m: number) => number) =>
      jobs31.map((j) =>
        fake(
          j,
          { step: [0], loss: [100] },
          { summary: { du_lambda0: 0.2, du_gram_init_deviation: dev(width(j)) } },
        ),
      );
    const v = (dev: (m: number) => number) =>
      find(du.verdicts({ mode: "quick", runs: runs(dev) }), "du-lemma31-init-gram");
    expect(v((m) => 5 / Math.sqrt(m)).status).toBe("reproduced");
    expect(v((m) => 5 / Math.sqrt(m)).measured).toMatch(/from m = 25600/);
    expect(v((m) => 50 / Math.sqrt(m)).status).toBe("partly");
    expect(v(() => 1).status).toBe("not reproduced");
  });

  it("DU Thms. 3.2–3.3: losses below exp(−λ₀t) reproduce, for each layer setting; above, not", async () => {
    const flowJobs = (await planReproduction(["du"], "quick")).jobs.filter(
      (j) => j.preset === "du-flow",
    );
    const ks = logGrid(400, 10);
    const runs = (rate: (both: boolean, m: number) => number) =>
      flowJobs.map((j) =>
        fake(
          j,
          {
            step: ks,
            loss: ks.map(
              (k) => 100 * Math.exp(-rate(j.spec.student.trainOutput, width(j)) * 0.05 * k),
            ),
          },
          { summary: { du_lambda0: 0.2 } },
        ),
      );
    for (const [id, both] of [
      ["du-thm32-flow", false],
      ["du-thm33-both-layers", true],
    ] as const) {
      const v = (rate: (b: boolean, m: number) => number) =>
        find(du.verdicts({ mode: "quick", runs: runs(rate) }), id).status;
      expect(v(() => 0.3)).toBe("reproduced");
      expect(v((b, m) => (b === both && m < 1600 ? 0.1 : 0.3))).toBe("partly");
      expect(v(() => 0.1)).toBe("not reproduced");
    }
  });
  it("a loss above the Theorem 4.1 envelope is not reproduced", () => {
    // rate 0.01/iter with λ₀ = 0.2, η = 0.5: the envelope decays as (1 − 0.05)^k, faster than e^{−0.01k}
    const vs = du.verdicts({
      mode: "quick",
      runs: runs(
        (m) => 1 / m,
        0.2,
        () => 0.01,
      ),
    });
    expect(find(vs, "Thm. 4.1").status).toBe("not reproduced");
    const ok = du.verdicts({
      mode: "quick",
      runs: runs(
        (m) => 1 / m,
        0.2,
        () => 0.2,
      ),
    });
    expect(find(ok, "Thm. 4.1").status).toBe("reproduced");
  });
});

describe("WA verdicts", async () => {
  const plan = await planReproduction(["wa"], "quick");
  const wa = findPaper("wa")!;
  const lr = (j: Job) => (j.spec.optimizer as { lr: number }).lr;
  const fig1Jobs = plan.jobs.filter((j) => j.preset === "wa-fig1");
  const lemmaJobs = plan.jobs.filter((j) => j.preset === "wa-lemma1");
  const sweepJobs = plan.jobs.filter((j) => j.preset === "wa-fig6");
  const steps = logGrid(40_000);
  const lemmaSteps = logGrid(500_000);
  /** WA Lemma 1's per-step factor at ν = 0.05, as −ln ρ. */
  const lemmaRate = (eta: number) => -Math.log(1 - eta * (2 - 14 * 0.05 - 2 * 0.05 ** 2));
  /** An objective that leaves 1 at `enter`, then decays linearly to a rounding plateau. */
  const linear = (xs: number[], enter: number, rate: number, floor = 3e-28) =>
    xs.map((s) => (s < enter ? 1 : Math.max(0.002 * Math.exp(-rate * (s - enter)), floor)));
  /** A tail ∝ 1/(1 + c(t − enter)) after `enter` (WA's ‖E‖² for K ≥ 2), to the power p. */
  const power = (xs: number[], enter: number, p: number) =>
    xs.map((s) => (s < enter ? 1 : (0.002 / (1 + 1e-3 * (s - enter))) ** p));

  /** wa-fig1 runs whose test objective enters (drops below 1e-2) at entryOf(K, seed). */
  const fig1 = (entryOf: (K: number, seed: number) => number, distOf?: (K: number) => number[]) =>
    fig1Jobs.map((j) => {
      const e = entryOf(width(j), j.seed);
      const loss = linear(steps, e, 2e-3);
      return fake(j, {
        step: steps,
        loss,
        test_loss: loss,
        wa_dist: distOf ? distOf(width(j)) : loss,
      });
    });

  it("WA Fig. 1 acceleration is judged on the test objective over ≥ 20 seeds per K", () => {
    expect(new Set(fig1Jobs.map((j) => j.seed)).size).toBeGreaterThanOrEqual(20);
    const jitter = (seed: number) => 30 * ((seed * 7) % 11);
    // dist² of K = 10 never falls below 0.14² (its ‖E‖² part): the old dist rule said "never"
    const vs = wa.verdicts({
      mode: "quick",
      runs: fig1(
        (K, seed) => 3000 / Math.sqrt(K) + jitter(seed),
        (K) => (K === 10 ? steps.map(() => 0.03) : linear(steps, 1000, 2e-3)),
      ),
    });
    const v = find(vs, "Larger K enters");
    expect(v.status).toBe("reproduced");
    expect(v.measured).toMatch(/\(20 seeds per K\)/);
    expect(v.measured).toMatch(/K=1: \d+ \[\d+, \d+\]/);
  });

  it("WA Fig. 1: K = 3, 10 beating K = 1 but K = 10 not beating K = 3 is 'partly', with the pair named", () => {
    const ref: Record<number, number> = { 1: 3130, 3: 2500, 10: 2580 };
    const v = find(wa.verdicts({ mode: "quick", runs: fig1((K) => ref[K]) }), "Larger K enters");
    expect(v.status).toBe("partly");
    expect(v.measured).toMatch(/K = 10 does not beat K = 3/);
  });

  it("WA Fig. 1: no K > 1 entering before K = 1 is 'not reproduced'", () => {
    const v = find(wa.verdicts({ mode: "quick", runs: fig1((K) => 2000 + K) }), "Larger K enters");
    expect(v.status).toBe("not reproduced");
  });

  /** wa-lemma1 runs: K = 1 linear at k1Rate × the lemma's rate, K ≥ 2 as given. */
  const lemma = (k1Rate: (seed: number) => number, many: (K: number) => "linear" | "power") =>
    lemmaJobs.map((j) => {
      const K = width(j);
      const eta = lr(j);
      const dist =
        K === 1 || many(K) === "linear"
          ? linear(lemmaSteps, 1000, (K === 1 ? k1Rate(j.seed) : 2) * lemmaRate(eta))
          : power(lemmaSteps, 1000, 1);
      const loss = K === 1 || many(K) === "linear" ? dist : power(lemmaSteps, 1000, 2);
      return fake(j, {
        step: lemmaSteps,
        loss,
        wa_dist: dist,
        wa_perp_part_sq: K === 1 ? lemmaSteps.map(() => 0) : dist,
      });
    });
  const fig1Fast = () => fig1((K) => 3000 / K);

  it("WA Lemma 1, K = 1: a rounding plateau at 3e-28 is not held against the bound; slower decay is", () => {
    const fast = wa.verdicts({
      mode: "quick",
      runs: [
        ...fig1Fast(),
        ...lemma(
          () => 2,
          () => "power",
        ),
      ],
    });
    const v = find(fast, "Lemma 1, K = 1");
    expect(v.status).toBe("reproduced");
    expect(v.measured).toMatch(/rounding plateau/);
    // half the seeds contract at half the lemma's rate: partly; all of them: not reproduced
    const some = wa.verdicts({
      mode: "quick",
      runs: lemma(
        (seed) => (seed % 2 ? 0.5 : 2),
        () => "power",
      ),
    });
    expect(find(some, "Lemma 1, K = 1").status).toBe("partly");
    const none = wa.verdicts({
      mode: "quick",
      runs: lemma(
        () => 0.5,
        () => "power",
      ),
    });
    expect(find(none, "Lemma 1, K = 1").status).toBe("not reproduced");
  });

  it("WA Lemma 1 for K ≥ 2: a T⁻¹ tail of dist² is 'not reproduced for K ≥ 2', with its exponents", () => {
    const v = find(
      wa.verdicts({
        mode: "quick",
        runs: lemma(
          () => 2,
          () => "power",
        ),
      }),
      "Lemma 1 for K ≥ 2",
    );
    expect(v.status).toBe("not reproduced");
    expect(v.measured).toMatch(/^not reproduced for K ≥ 2/);
    expect(v.measured).toMatch(/objective -(2|1\.9\d*), ‖E‖² -(1|0\.9\d*)/);
    expect(v.note).toMatch(/EᵀE/);
    expect(v.note).not.toMatch(/sample/);
    const some = wa.verdicts({
      mode: "quick",
      runs: lemma(
        () => 2,
        (K) => (K === 3 ? "linear" : "power"),
      ),
    });
    expect(find(some, "Lemma 1 for K ≥ 2").status).toBe("partly");
    const all = wa.verdicts({
      mode: "quick",
      runs: lemma(
        () => 2,
        () => "linear",
      ),
    });
    expect(find(all, "Lemma 1 for K ≥ 2").status).toBe("reproduced");
  });

  /** wa-fig6 runs: each (η, seed) converges, stalls or diverges as `fate` says. */
  const sweep = (
    fate: (eta: number, seed: number, K: number) => "converged" | "stalled" | "diverged",
  ) =>
    sweepJobs.map((j) => {
      const f = fate(lr(j), j.seed, width(j));
      if (f === "diverged")
        return fake(
          j,
          {
            step: [0, 1, 2],
            loss: [1, 1e3, Number.POSITIVE_INFINITY],
            test_loss: [1, 1e3, Number.POSITIVE_INFINITY],
            wa_dist: [1, 10, 100],
          },
          { status: "diverged" },
        );
      const xs = logGrid(20_000);
      const enter = Math.round(3 / lr(j));
      const test = f === "converged" ? linear(xs, enter, 0.01) : xs.map(() => 0.05);
      return fake(j, { step: xs, loss: test, test_loss: test, wa_dist: test });
    });
  /** The reference's shape: η ≤ 0.2 always converges, 0.3 in `at03` of 20 seeds, 0.4 in one. */
  const reference = (at03: number) => (eta: number, seed: number) =>
    eta >= 1
      ? "diverged"
      : eta >= 0.5
        ? "stalled"
        : eta >= 0.4
          ? seed === 0
            ? "converged"
            : "stalled"
          : eta >= 0.3
            ? seed < at03
              ? "converged"
              : "stalled"
            : "converged";

  it("WA §4.4 runs ≥ 20 seeds per η and K and reports converge/diverge/stall counts", () => {
    const perCell = new Map<string, number>();
    for (const j of sweepJobs) {
      const key = `${lr(j)}/${width(j)}`;
      perCell.set(key, (perCell.get(key) ?? 0) + 1);
    }
    for (const n of perCell.values()) expect(n).toBeGreaterThanOrEqual(20);
    const vs = wa.verdicts({ mode: "quick", runs: sweep(reference(8)) });
    const v = find(vs, "diverges or fails");
    expect(v.status).toBe("reproduced");
    expect(v.measured).toMatch(/η=0\.3: K=1 8\/0\/12/);
    expect(v.measured).toMatch(/η=1: K=1 0\/20\/0/);
    expect(v.measured).toMatch(/\(20 seeds per cell\)/);
  });

  it("WA §4.4: η = 0.3 converging in most seeds makes 'η ≥ 0.3 fails' partly; converging everywhere, not reproduced", () => {
    const some = find(
      wa.verdicts({ mode: "quick", runs: sweep(reference(12)) }),
      "diverges or fails",
    );
    expect(some.status).toBe("partly");
    expect(some.measured).toMatch(/most seeds converge at η = 0\.3/);
    const none = find(
      wa.verdicts({ mode: "quick", runs: sweep(() => "converged") }),
      "diverges or fails",
    );
    expect(none.status).toBe("not reproduced");
  });

  it("WA §4.4: the best η is the fastest that converges in every seed (0.2 here, though 0.3 is faster when it converges)", () => {
    const v = find(
      wa.verdicts({ mode: "quick", runs: sweep(reference(12)) }),
      "η = 0.2 is the best",
    );
    expect(v.status).toBe("reproduced");
    expect(v.measured).toMatch(/K=1: best η 0\.2 .*η 0\.3 converged in 12\/20/);
    // η = 0.3 converging in every seed for K = 1 only: partly; for every K: not reproduced
    const k1 = (eta: number, seed: number, K: number) =>
      eta === 0.3 && K === 1 ? "converged" : reference(12)(eta, seed);
    expect(
      find(wa.verdicts({ mode: "quick", runs: sweep(k1) }), "η = 0.2 is the best").status,
    ).toBe("partly");
    const all = (eta: number, seed: number) =>
      eta === 0.3 ? "converged" : reference(12)(eta, seed);
    expect(
      find(wa.verdicts({ mode: "quick", runs: sweep(all) }), "η = 0.2 is the best").status,
    ).toBe("not reproduced");
  });

  it("WA rows cite only the paper and the lab's measurements", () => {
    const vs = wa.verdicts({
      mode: "quick",
      runs: [
        ...fig1Fast(),
        ...lemma(
          () => 2,
          () => "power",
        ),
        ...sweep(reference(8)),
      ],
    });
    for (const v of vs) {
      expect(v.paper).toBe("wa");
      expect(`${v.claim} ${v.rule} ${v.note ?? ""}`).not.toMatch(/SPEC|reference/);
    }
  });

  /** wa-fig1 runs with extra columns (and summary) per job. */
  const fig1With = (cols: (j: Job) => Record<string, number[]>) =>
    fig1Jobs.map((j) => {
      const loss = linear(steps, 3000, 2e-3);
      return fake(j, { step: steps, loss, test_loss: loss, wa_dist: loss, ...cols(j) });
    });

  it("WA Fig. 1a: a linear test tail for every K reproduces; K ≥ 2 on a power law is partly; all power laws, not", () => {
    const tails = (many: "linear" | "power", one: "linear" | "power" = "linear") =>
      fig1With((j) => {
        const kind = width(j) === 1 ? one : many;
        const t = kind === "linear" ? linear(steps, 3000, 2e-3) : power(steps, 3000, 2);
        return { test_loss: t };
      });
    expect(
      find(wa.verdicts({ mode: "quick", runs: tails("linear") }), "wa-fig1-linear-tail").status,
    ).toBe("reproduced");
    expect(
      find(wa.verdicts({ mode: "quick", runs: tails("power") }), "wa-fig1-linear-tail").status,
    ).toBe("partly");
    expect(
      find(wa.verdicts({ mode: "quick", runs: tails("power", "power") }), "wa-fig1-linear-tail")
        .status,
    ).toBe("not reproduced");
  });

  it("WA Thm. 2: T_γ below the bound in every K = 1 seed reproduces; in some, partly; in none, not", () => {
    // |w₀[1]| = 0.003: bound = log(0.901/0.003)/log(1 + 0.001·6γ(1 − γ)) ≈ 1.07e4 steps
    const at = (T: (seed: number) => number) =>
      fig1With((j) => ({
        "wa_parallel[0]": steps.map((s) => (s < T(j.seed) ? 0.003 : 1)),
        "wa_perp_norm[0]": steps.map(() => 0.01),
      }));
    const v = (T: (seed: number) => number) =>
      find(wa.verdicts({ mode: "quick", runs: at(T) }), "wa-thm2-escape");
    expect(v(() => 3000).status).toBe("reproduced");
    expect(v(() => 3000).measured).toMatch(/20\/20 seeds/);
    expect(v((seed) => (seed % 2 ? 3000 : 30_000)).status).toBe("partly");
    expect(v(() => 30_000).status).toBe("not reproduced");
  });

  it("WA Figs. 3–4: interaction ratios ≤ 1e-3 reproduce, ≤ 1e-2 are partly, larger are not", () => {
    const ratios = (r: number) =>
      fig1With((j) =>
        Object.fromEntries(
          Array.from({ length: width(j) }, (_, i) => [
            [`wa_B_over_A[${i}]`, steps.map(() => r)],
            [`wa_D_over_C[${i}]`, steps.map(() => r / 10)],
          ]).flat(),
        ),
      );
    const v = (r: number) =>
      find(wa.verdicts({ mode: "quick", runs: ratios(r) }), "wa-fig34-interaction").status;
    expect(v(1e-4)).toBe("reproduced");
    expect(v(5e-3)).toBe("partly");
    expect(v(0.1)).toBe("not reproduced");
  });

  it("WA Fig. 8: the Hessian form turning positive sooner with K at every η reproduces; later, not", () => {
    const positive = (of: (K: number, eta: number) => number) =>
      sweep(() => "converged").map((r) => ({
        ...r,
        summary: { wa_hessian_positive_step: of(width(r.job), lr(r.job)) },
      }));
    const v = (of: (K: number, eta: number) => number) =>
      find(wa.verdicts({ mode: "quick", runs: positive(of) }), "wa-fig8-hessian").status;
    expect(v((K, eta) => 10 / eta / K)).toBe("reproduced");
    expect(v((K, eta) => (eta >= 0.1 ? 10 / eta / K : (10 / eta) * K))).toBe("partly");
    expect(v((K, eta) => (10 / eta) * K)).toBe("not reproduced");
  });
  it("WA Lemma 3: an aggregate projection ∝ √K in the small-output stage reproduces; ∝ K^0.2 partly; flat, not", () => {
    const proj = (p: number) =>
      fig1With(
        (j): Record<string, number[]> =>
          width(j) === 1
            ? { "wa_parallel[0]": steps.map((s) => -0.003 * (1 + s / 1000)) }
            : { wa_parallel_l2: steps.map((s) => 0.003 * width(j) ** p * (1 + s / 1000)) },
      );
    const v = (p: number) =>
      find(wa.verdicts({ mode: "quick", runs: proj(p) }), "wa-lemma3-projection");
    expect(v(0.5).status).toBe("reproduced");
    expect(v(0.5).measured).toMatch(/^slope 0\.5/);
    expect(v(0.2).status).toBe("partly");
    expect(v(0).status).toBe("not reproduced");
  });

  it("WA Lemma 4: ‖w⊥‖/|w∥| falling at 2η per step reproduces (ψ ≈ 1 + η); at η/2 for some K partly, for all not", () => {
    const ratio = (c: (K: number) => number) =>
      fig1With((j) =>
        Object.fromEntries(
          Array.from({ length: width(j) }, (_, k) => [
            [`wa_parallel[${k}]`, steps.map(() => 0.003)],
            [`wa_perp_norm[${k}]`, steps.map((s) => 0.003 * Math.exp(-c(width(j)) * lr(j) * s))],
          ]).flat(),
        ),
      );
    const v = (c: (K: number) => number) =>
      find(wa.verdicts({ mode: "quick", runs: ratio(c) }), "wa-lemma4-perp-ratio").status;
    expect(v(() => 2)).toBe("reproduced");
    expect(v((K) => (K === 1 ? 2 : 0.5))).toBe("partly");
    expect(v(() => 0.5)).toBe("not reproduced");
  });

  it("WA Thm. 5: dist² of K ≥ 2 below K = 1's in the first stage reproduces; above, not", () => {
    const gap = (sign: (K: number) => number) =>
      fig1With((j) => ({
        wa_dist: steps.map(
          (s) => 1 - (s / 4000) * (1 + 0.1 * sign(width(j)) * (width(j) > 1 ? 1 : 0)),
        ),
      }));
    const v = (sign: (K: number) => number) =>
      find(wa.verdicts({ mode: "quick", runs: gap(sign) }), "wa-thm5-gap").status;
    expect(v(() => 1)).toBe("reproduced");
    expect(v((K) => (K === 3 ? 1 : -1))).toBe("partly");
    expect(v(() => -1)).toBe("not reproduced");
  });

  it("WA Fig. 7: at η = 0.5 no seed converges and larger K gets close sooner: reproduced; one of the two partly", () => {
    const at05 = (converge: boolean, close: (K: number) => number) =>
      sweepJobs.map((j) => {
        const xs = logGrid(20_000);
        const loss = xs.map((s) =>
          s < close(width(j)) ? 0.5 : converge ? Math.max(0.05 * Math.exp(-0.01 * s), 1e-30) : 0.05,
        );
        return fake(j, { step: xs, loss, test_loss: loss, wa_dist: loss });
      });
    const v = (converge: boolean, close: (K: number) => number) =>
      find(wa.verdicts({ mode: "quick", runs: at05(converge, close) }), "wa-fig7-half").status;
    expect(v(false, (K) => 100 / K)).toBe("reproduced");
    expect(v(true, (K) => 100 / K)).toBe("partly");
    expect(v(false, (K) => 10 * K)).toBe("partly");
    expect(v(true, (K) => 10 * K)).toBe("not reproduced");
  });
});

describe("ZGJ Fig. 1 verdicts", async () => {
  const plan = await planReproduction(["zgj"], "quick");
  const zgj = findPaper("zgj")!;
  const steps = logGrid(20_000);
  const init = (j: Job) => j.spec.student.init as { kind: string; scale?: number };
  const lazyJobs = plan.jobs.filter((j) => init(j).kind === "symmetric-pairs");
  const fig1Jobs = plan.jobs.filter((j) => j.preset === "zgj-fig1");
  /** Student i starts at τ·(cos i, sin i) and moves by `moved`·‖w(0)‖ (perpendicular). */
  const weights = (m: number, tau: number, moved: number) =>
    Object.fromEntries(
      Array.from({ length: m }, (_, i) => {
        const [c, s] = [Math.cos(i), Math.sin(i)];
        const at = (k: number) => (k === steps.length - 1 ? moved : (moved * k) / steps.length);
        return [
          [`w[${i}][0]`, steps.map((_, k) => tau * (c - at(k) * s))],
          [`w[${i}][1]`, steps.map((_, k) => tau * (s + at(k) * c))],
        ];
      }).flat(),
    );

  it("ZGJ Fig. 1a: movement ∝ 1/τ² with the loss still fitting reproduces; ∝ 1/τ partly; flat, not", () => {
    const lazy = (p: number, finalLoss = 1e-3) =>
      lazyJobs.map((j) => {
        const tau = init(j).scale!;
        return fake(j, {
          step: steps,
          loss: steps.map((s) => Math.max(3.7 / (1 + s), finalLoss)),
          ...weights(20, tau, 0.1 / tau ** p),
        });
      });
    const v = (p: number, finalLoss?: number) =>
      find(zgj.verdicts({ mode: "quick", runs: lazy(p, finalLoss) }), "zgj-fig1a-lazy");
    expect(v(2).status).toBe("reproduced");
    expect(v(2).measured).toMatch(/^slope -2(\.0\d*)?;.*\(3 seeds per τ\)$/);
    expect(v(2, 0.1).status).toBe("partly"); // movement ∝ 1/τ² but the loss did not fit
    expect(v(1).status).toBe("partly");
    expect(v(0).status).toBe("not reproduced");
    expect(v(2).note).toMatch(/leaves ZGJ's non-negative model/);
  });

  /** zgj-fig1 runs: a share of each run's students end `angle` rad from a teacher, the rest 0.01. */
  const fig1 = (
    angle: number,
    share: number,
    loss: (s: number) => number = (s) => 1 / (1 + s),
    gradOverLoss: (s: number) => number = () => 200,
  ) =>
    fig1Jobs.map((j) =>
      fake(j, {
        step: steps,
        loss: steps.map(loss),
        zgj_grad_over_loss: steps.map(gradOverLoss),
        ...weights(20, 1, 0),
        ...Object.fromEntries(
          Array.from({ length: 20 }, (_, i) => [
            `zgj_nearest_angle[${i}]`,
            steps.map(() => (i < share * 20 ? angle : 0.01)),
          ]),
        ),
      }),
    );

  it("ZGJ Fig. 1b/c: all weighted students aligned reproduces, ≥ 80% partly, fewer not", () => {
    for (const id of ["zgj-fig1b-mean-field", "zgj-fig1c-local"]) {
      const v = (share: number) =>
        find(zgj.verdicts({ mode: "quick", runs: fig1(0.3, share) }), id);
      expect(v(0).status).toBe("reproduced");
      expect(v(0).measured).toMatch(/60\/60 weighted students aligned.*\(3 seeds\)/);
      expect(v(0.1).status).toBe("partly");
      expect(v(0.5).status).toBe("not reproduced");
    }
  });

  it("ZGJ Thm. 4: a T⁻¹ (or faster) loss tail reproduces; a stalled loss does not", () => {
    const v = (loss: (s: number) => number) =>
      find(zgj.verdicts({ mode: "quick", runs: fig1(0, 0, loss) }), "zgj-thm4-rate").status;
    expect(v((s) => 1 / (1 + s))).toBe("reproduced");
    expect(v((s) => Math.exp(-s / 1000) + 1e-30)).toBe("reproduced");
    expect(v(() => 0.3)).toBe("not reproduced");
  });

  it("ZGJ Thm. 3: ‖∇L‖/L bounded below reproduces; ‖∇L‖/L decaying like T⁻¹ does not", () => {
    const v = (g: (s: number) => number) =>
      find(zgj.verdicts({ mode: "quick", runs: fig1(0, 0, undefined, g) }), "zgj-thm3-gradient")
        .status;
    expect(v(() => 200)).toBe("reproduced");
    expect(v((s) => 200 / (1 + s))).toBe("not reproduced");
  });
  it("ZGJ Algorithms 1–2: aligned students and a 1000× lower loss in every run reproduce; some runs partly; none not", () => {
    const initJobs = plan.jobs.filter((j) => j.preset === "zgj-init");
    const runs = (ok: (kind: string, seed: number) => boolean) =>
      initJobs.map((j) => {
        const good = ok(init(j).kind, j.seed);
        return fake(j, {
          step: steps,
          loss: steps.map((s) => 0.02 / (1 + (good ? s : 0))),
          ...weights(20, 1, 0),
          // d = 5: the coordinates beyond the plane of `weights` are 0
          ...Object.fromEntries(
            Array.from({ length: 20 }, (_, i) =>
              [2, 3, 4].map((k) => [`w[${i}][${k}]`, steps.map(() => 0)]),
            ).flat(),
          ),
          ...Object.fromEntries(
            Array.from({ length: 20 }, (_, i) => [
              `zgj_nearest_angle[${i}]`,
              steps.map(() => 0.01),
            ]),
          ),
        });
      });
    const v = (ok: (kind: string, seed: number) => boolean) =>
      find(zgj.verdicts({ mode: "quick", runs: runs(ok) }), "zgj-thm5-init");
    expect(v(() => true).status).toBe("reproduced");
    expect(v(() => true).measured).toMatch(
      /zgj-random: 60\/60 weighted students aligned.*\(3 seeds\)/,
    );
    expect(v((k) => k === "zgj-random").status).toBe("partly");
    expect(v(() => false).status).toBe("not reproduced");
  });

  it("ZGJ Thm. 6: an online-SGD population loss falling like T⁻¹ reproduces; a noise floor does not", () => {
    const onlineJobs = plan.jobs.filter((j) => j.preset === "zgj-online");
    const runs = (loss: (s: number, seed: number) => number) =>
      onlineJobs.map((j) => fake(j, { step: steps, loss: steps.map((s) => loss(s, j.seed)) }));
    const v = (loss: (s: number, seed: number) => number) =>
      find(zgj.verdicts({ mode: "quick", runs: runs(loss) }), "zgj-thm6-online").status;
    expect(v((s) => 1 / (1 + s))).toBe("reproduced");
    expect(v((s, seed) => (seed === 0 ? 1 / (1 + s) : Math.max(1 / (1 + s), 0.01)))).toBe("partly");
    expect(v((s) => Math.max(1 / (1 + s), 0.01))).toBe("not reproduced");
  });
  it("ZGJ Thm. 3 over r: ‖∇L‖/L bounded for every r reproduces; decaying for some r partly; for all, not", () => {
    const rJobs = plan.jobs.filter((j) => j.preset === "zgj-thm3-r");
    const r = (j: Job) => (j.spec.teacher as { neurons: number }).neurons;
    const runs = (decays: (r: number) => boolean) =>
      rJobs.map((j) =>
        fake(j, {
          step: steps,
          loss: steps.map((s) => 1 / (1 + s)),
          zgj_grad_over_loss: steps.map((s) => (decays(r(j)) ? 100 / (1 + s) : 100 / r(j))),
        }),
      );
    const v = (decays: (r: number) => boolean) =>
      find(zgj.verdicts({ mode: "quick", runs: runs(decays) }), "zgj-thm3-kappa-r");
    expect(v(() => false).status).toBe("reproduced");
    expect(v(() => false).measured).toMatch(/fitted power of r of κ̂ -1(\.0\d*)? \(3 seeds per r\)/);
    expect(v((k) => k === 6).status).toBe("partly");
    expect(v(() => true).status).toBe("not reproduced");
  });
});

describe("claim records", () => {
  it("every claim has a unique id starting with its paper, a rule, and presets its paper plans", async () => {
    const ids = new Set<string>();
    for (const key of ["wa", "du", "xd", "zgj"]) {
      const paper = findPaper(key)!;
      const plan = await planReproduction([key], "quick");
      const presets = new Set(plan.jobs.map((j) => j.preset));
      for (const c of paper.claims) {
        expect(ids.has(c.id), c.id).toBe(false);
        ids.add(c.id);
        expect(c.id.startsWith(`${key}-`), c.id).toBe(true);
        expect(c.paper).toBe(key);
        expect(c.rule.length).toBeGreaterThan(20);
        for (const p of c.presets) expect(presets.has(p), `${c.id} needs ${p}`).toBe(true);
      }
      // missing evidence is "failed", never "reproduced", and the verdicts follow the list
      const vs = paper.verdicts({ mode: "quick", runs: [] });
      expect(vs.map((v) => v.id)).toEqual(paper.claims.map((c) => c.id));
      for (const v of vs) expect(v.status).toBe("failed");
    }
  });

  it("an error while measuring makes that claim 'failed' with the message, not the whole paper", () => {
    const paper = findPaper("du")!;
    const broken = {
      ...paper.claims[0],
      measure: () => {
        throw new Error("boom");
      },
    };
    const vs = definePaper({ ...paper, claims: [broken, paper.claims[1]] }).verdicts({
      mode: "quick",
      runs: [],
    });
    expect(vs[0]).toMatchObject({ status: "failed", measured: "error: boom" });
    expect(vs[1].status).toBe("failed");
    expect(vs[1].measured).toMatch(/^no data:/);
  });

  it("every claim's rule is tested above on synthetic series", () => {
    const all = ["wa", "du", "xd", "zgj"].flatMap((k) => findPaper(k)!.claims.map((c) => c.id));
    expect(all.filter((id) => !tested.has(id))).toEqual([]);
  });
});
