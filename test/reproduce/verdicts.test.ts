/**
 * The verdict rules, fed synthetic runs whose answer is known: a clean T⁻³ tail, an
 * exponential tail, widths whose flips shrink or grow, a δ³ or δ² loss, missing runs.
 */
import { describe, expect, it } from "vitest";
import type { Verdict } from "../../src/analysis/verdict.js";
import type { LoadedRun } from "../../src/reproduce/load.js";
import { findPaper } from "../../src/reproduce/papers/index.js";
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

const find = (vs: Verdict[], text: string): Verdict => {
  const v = vs.find((x) => x.claim.includes(text));
  if (!v)
    throw new Error(`no verdict mentioning "${text}" in ${vs.map((x) => x.claim).join(" | ")}`);
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

describe("DU verdicts", async () => {
  const plan = await planReproduction(["du"], "quick");
  const du = findPaper("du")!;
  const jobs = plan.jobs;
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
  const steps = logGrid(40_000);
  // dist² that falls below 0.14² at a K-dependent step, then linearly
  const dist = (enter: number) =>
    steps.map((s) => (s < enter ? 1 : 0.01 * Math.exp(-0.002 * (s - enter))));
  const fig1 = (enterOf: (K: number) => number) =>
    plan.jobs
      .filter((j) => j.preset === "wa-fig1")
      .map((j) =>
        fake(j, {
          step: steps,
          loss: dist(enterOf(width(j))),
          test_loss: dist(enterOf(width(j))),
          wa_dist: dist(enterOf(width(j))),
        }),
      );
  it("entering the linear regime sooner for larger K reproduces the acceleration claim", () => {
    const vs = wa.verdicts({ mode: "quick", runs: fig1((K) => 3000 / K) });
    expect(find(vs, "Larger K enters").status).toBe("reproduced");
    const same = wa.verdicts({ mode: "quick", runs: fig1(() => 3000) });
    expect(find(same, "Larger K enters").status).toBe("not reproduced");
    const some = wa.verdicts({
      mode: "quick",
      runs: fig1((K) => (K === 1 ? 3000 : K === 3 ? 1000 : 2000)),
    });
    expect(find(some, "Larger K enters").status).toBe("partly");
  });
  it("η ≥ 0.3 must diverge or fail for every K", () => {
    const sweep = plan.jobs.filter((j) => j.preset === "wa-fig6");
    const lr = (j: Job) => (j.spec.optimizer as { lr: number }).lr;
    const runs = (convergesAt03: boolean) =>
      sweep.map((j) => {
        const converge = lr(j) < 0.3 || (convergesAt03 && lr(j) === 0.3);
        return lr(j) >= 0.4
          ? fake(
              j,
              {
                step: [0, 1, 2],
                loss: [1, 1e3, Number.POSITIVE_INFINITY],
                test_loss: [1, 1e3, Number.POSITIVE_INFINITY],
                wa_dist: [1, 10, 100],
              },
              { status: "diverged" },
            )
          : fake(j, {
              step: steps,
              loss: dist(100),
              test_loss: converge ? dist(100) : steps.map(() => 0.5),
              wa_dist: dist(100),
            });
      });
    expect(
      find(wa.verdicts({ mode: "quick", runs: runs(false) }), "diverges or fails").status,
    ).toBe("reproduced");
    expect(find(wa.verdicts({ mode: "quick", runs: runs(true) }), "diverges or fails").status).toBe(
      "partly",
    );
  });
});
