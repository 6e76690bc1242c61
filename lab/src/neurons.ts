/**
 * The neuron view: student and teacher neuron vectors drawn as arrows in a plane, with each
 * student's path over the recorded rows. For d = 2 the plane is the input space itself (exact,
 * ZGJ Fig. 1; the arrow's length is ‖w‖). For d > 2 it is a projection, and the view says on
 * what: one teacher neuron → its direction v̄ and the students' leading principal direction
 * orthogonal to it; two or more → the span of the first two teacher neurons; no teacher (noise
 * labels) → the students' two leading principal directions. Principal directions are those of
 * the uncentred second moment of the students' weight vectors over the recorded rows (so the
 * plane stays put while the animation plays).
 *
 * Drawing goes through a small list of primitives, rendered either on a canvas (live) or as
 * SVG text (export), so the two always show the same picture. Pure: no DOM outside render*.
 */

export interface Plane {
  e1: Float64Array;
  e2: Float64Array;
  /** What the axes are, in words (shown in the view). */
  note: string;
  axes: [string, string];
}

const dot = (a: ArrayLike<number>, ao: number, b: ArrayLike<number>, bo: number, d: number) => {
  let s = 0;
  for (let k = 0; k < d; k++) s += a[ao + k] * b[bo + k];
  return s;
};

function normalize(v: Float64Array): boolean {
  const n = Math.sqrt(dot(v, 0, v, 0, v.length));
  if (!(n > 1e-300)) return false;
  for (let k = 0; k < v.length; k++) v[k] /= n;
  return true;
}

/** Removes from v its components along the given unit vectors. */
function orthogonalize(v: Float64Array, basis: Float64Array[]): void {
  for (const b of basis) {
    const c = dot(v, 0, b, 0, v.length);
    for (let k = 0; k < v.length; k++) v[k] -= c * b[k];
  }
}

/** A unit vector orthogonal to `basis` (the coordinate axis least inside its span). */
function anyOrthogonal(d: number, basis: Float64Array[]): Float64Array {
  let best: Float64Array | null = null;
  let bestNorm = -1;
  for (let k = 0; k < d; k++) {
    const v = new Float64Array(d);
    v[k] = 1;
    orthogonalize(v, basis);
    const n = Math.sqrt(dot(v, 0, v, 0, d));
    if (n > bestNorm) {
      best = v;
      bestNorm = n;
    }
  }
  normalize(best!);
  return best!;
}

/**
 * The leading eigenvector of Σ pᵢpᵢᵀ over the vectors p (rows of `vectors`, each of length d)
 * with their components along `exclude` removed, by power iteration; null when they all lie in
 * span(exclude).
 */
export function leadingDirection(
  vectors: Float64Array[],
  d: number,
  exclude: Float64Array[],
): Float64Array | null {
  const P = vectors.map((p) => {
    const q = Float64Array.from(p);
    orthogonalize(q, exclude);
    return q;
  });
  let start: Float64Array | null = null;
  let largest = 0;
  for (const q of P) {
    const n = dot(q, 0, q, 0, d);
    if (n > largest) {
      largest = n;
      start = q;
    }
  }
  if (!start || !(largest > 1e-28)) return null;
  let v = Float64Array.from(start);
  normalize(v);
  const next = new Float64Array(d);
  for (let it = 0; it < 60; it++) {
    next.fill(0);
    for (const q of P) {
      const c = dot(q, 0, v, 0, d);
      for (let k = 0; k < d; k++) next[k] += c * q[k];
    }
    orthogonalize(next, exclude);
    const w = Float64Array.from(next);
    if (!normalize(w)) break;
    const change = 1 - Math.abs(dot(w, 0, v, 0, d));
    v = w;
    if (change < 1e-12) break;
  }
  return v;
}

/**
 * The drawing plane for d-dimensional neurons: teacher V (r×d row-major, r may be 0) and
 * samples of the students' weight vectors (each of length d). `previous` keeps the signs of the
 * principal directions from flipping between redraws.
 */
export function planeFor(
  d: number,
  teacherV: Float64Array | null,
  r: number,
  students: Float64Array[],
  previous?: Plane | null,
): Plane {
  if (d === 1) {
    const e1 = Float64Array.of(1);
    return { e1, e2: Float64Array.of(0), note: "d = 1: the line itself", axes: ["w", ""] };
  }
  if (d === 2) {
    return {
      e1: Float64Array.of(1, 0),
      e2: Float64Array.of(0, 1),
      note: "exact: d = 2, the input plane itself (arrow length = ‖w‖)",
      axes: ["x₁", "x₂"],
    };
  }
  const keepSign = (v: Float64Array, old: Float64Array | undefined) => {
    if (old && old.length === v.length && dot(v, 0, old, 0, v.length) < 0)
      for (let k = 0; k < v.length; k++) v[k] = -v[k];
    return v;
  };
  const teachers: Float64Array[] = [];
  for (let i = 0; i < r && teacherV; i++) teachers.push(teacherV.slice(i * d, i * d + d));
  if (teachers.length >= 2) {
    const e1 = Float64Array.from(teachers[0]);
    const e2 = Float64Array.from(teachers[1]);
    if (normalize(e1)) {
      orthogonalize(e2, [e1]);
      if (normalize(e2))
        return {
          e1,
          e2,
          note: `projection (d = ${d}) on the span of teacher neurons v₁, v₂${r > 2 ? ` (of ${r}; the others are projected too)` : ""}: x along v₁, y along v₂'s part ⟂ v₁`,
          axes: ["v̄₁", "v₂ ⟂ v₁"],
        };
    }
  }
  if (teachers.length >= 1) {
    const e1 = Float64Array.from(teachers[0]);
    if (normalize(e1)) {
      const pc = leadingDirection(students, d, [e1]);
      const e2 = keepSign(pc ?? anyOrthogonal(d, [e1]), previous?.e2);
      return {
        e1,
        e2,
        note: `projection (d = ${d}): x along the teacher direction v̄, y along the students' leading principal direction ⟂ v̄ (over the recorded rows)${pc ? "" : "; the students lie on v̄'s line, so y is any direction ⟂ v̄"}`,
        axes: ["v̄", "PC₁ ⟂ v̄"],
      };
    }
  }
  const p1 = leadingDirection(students, d, []);
  const e1 = keepSign(p1 ?? anyOrthogonal(d, []), previous?.e1);
  const p2 = leadingDirection(students, d, [e1]);
  const e2 = keepSign(p2 ?? anyOrthogonal(d, [e1]), previous?.e2);
  return {
    e1,
    e2,
    note: `projection (d = ${d}) on the students' two leading principal directions (over the recorded rows; no teacher neurons)`,
    axes: ["PC₁", "PC₂"],
  };
}

/** (x, y) of the vector at v[o..o+d) in the plane. */
export function project(
  plane: Plane,
  v: ArrayLike<number>,
  o: number,
  d: number,
): [number, number] {
  return [dot(v, o, plane.e1, 0, d), dot(v, o, plane.e2, 0, d)];
}

// ---------------------------------------------------------------- the picture

export type Primitive =
  | {
      kind: "line";
      points: [number, number][];
      color: string;
      width: number;
      alpha?: number;
      dash?: number[];
      fill?: boolean;
    }
  | { kind: "circle"; x: number; y: number; r: number; color: string }
  | {
      kind: "text";
      x: number;
      y: number;
      text: string;
      color: string;
      size: number;
      anchor: "start" | "middle" | "end";
    };

export interface Scene {
  width: number;
  height: number;
  items: Primitive[];
}

export interface NeuronPicture {
  /** Teacher neurons, projected. */
  teachers: [number, number][];
  /** Each student's projected path over the recorded rows (one point per row). */
  paths: [number, number][][];
  /** The row shown (arrows at this row; the paths drawn up to it). */
  frame: number;
  colors: string[];
  axes: [string, string];
  caption: string;
}

/** Students' colours: hues spread around the wheel (teachers are drawn black). */
export function neuronColors(m: number): string[] {
  return Array.from(
    { length: m },
    (_, i) => `hsl(${Math.round((i * 360) / Math.max(m, 1) + 200) % 360} 70% 42%)`,
  );
}

function arrow(
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  color: string,
  width: number,
  head: number,
): Primitive[] {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const items: Primitive[] = [
    {
      kind: "line",
      points: [
        [x0, y0],
        [x1, y1],
      ],
      color,
      width,
    },
  ];
  if (len > 1) {
    const ux = (x1 - x0) / len;
    const uy = (y1 - y0) / len;
    const h = Math.min(head, len * 0.6);
    items.push({
      kind: "line",
      points: [
        [x1, y1],
        [x1 - h * ux - 0.45 * h * uy, y1 - h * uy + 0.45 * h * ux],
        [x1 - h * ux + 0.45 * h * uy, y1 - h * uy - 0.45 * h * ux],
        [x1, y1],
      ],
      color,
      width: 1,
      fill: true,
    });
  }
  return items;
}

/** Lays the picture out in a width×height box: same scale on both axes, origin in view. */
export function sceneOf(p: NeuronPicture, width: number, height: number): Scene {
  const items: Primitive[] = [];
  let extent = 0;
  for (const [x, y] of p.teachers) extent = Math.max(extent, Math.abs(x), Math.abs(y));
  for (const path of p.paths)
    for (const [x, y] of path)
      if (Number.isFinite(x) && Number.isFinite(y))
        extent = Math.max(extent, Math.abs(x), Math.abs(y));
  if (!(extent > 0)) extent = 1;
  const pad = 28;
  const scale = (Math.min(width, height) / 2 - pad) / extent;
  const cx = width / 2;
  const cy = height / 2;
  const X = (x: number) => cx + x * scale;
  const Y = (y: number) => cy - y * scale;
  const grey = "#8c959f";
  items.push(
    {
      kind: "line",
      points: [
        [pad / 2, cy],
        [width - pad / 2, cy],
      ],
      color: grey,
      width: 1,
    },
    {
      kind: "line",
      points: [
        [cx, height - pad / 2],
        [cx, pad / 2],
      ],
      color: grey,
      width: 1,
    },
    {
      kind: "text",
      x: width - pad / 2,
      y: cy - 6,
      text: p.axes[0],
      color: "#57606a",
      size: 12,
      anchor: "end",
    },
    {
      kind: "text",
      x: cx + 6,
      y: pad / 2 + 4,
      text: p.axes[1],
      color: "#57606a",
      size: 12,
      anchor: "start",
    },
    {
      kind: "text",
      x: X(extent),
      y: cy + 16,
      text: formatExtent(extent),
      color: "#57606a",
      size: 11,
      anchor: "end",
    },
  );
  const f = p.frame;
  p.paths.forEach((path, i) => {
    const pts = path
      .slice(0, f + 1)
      .filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y))
      .map(([x, y]) => [X(x), Y(y)] as [number, number]);
    if (pts.length > 1)
      items.push({ kind: "line", points: pts, color: p.colors[i], width: 1.2, alpha: 0.45 });
    if (pts.length)
      items.push({ kind: "circle", x: pts[0][0], y: pts[0][1], r: 2, color: p.colors[i] });
  });
  p.teachers.forEach(([x, y], j) => {
    items.push(...arrow(cx, cy, X(x), Y(y), "#1b1f24", 2.5, 10));
    items.push({
      kind: "text",
      x: X(x) + (x >= 0 ? 6 : -6),
      y: Y(y) - 6,
      text: p.teachers.length > 1 ? `v${subscript(j + 1)}` : "v",
      color: "#1b1f24",
      size: 13,
      anchor: x >= 0 ? "start" : "end",
    });
  });
  p.paths.forEach((path, i) => {
    const at = path[Math.min(f, path.length - 1)];
    if (!at || !Number.isFinite(at[0]) || !Number.isFinite(at[1])) return;
    items.push(...arrow(cx, cy, X(at[0]), Y(at[1]), p.colors[i], 1.6, 7));
  });
  items.push({
    kind: "text",
    x: 6,
    y: height - 6,
    text: p.caption,
    color: "#57606a",
    size: 11,
    anchor: "start",
  });
  return { width, height, items };
}

function subscript(n: number): string {
  return String(n).replace(/\d/g, (c) => "₀₁₂₃₄₅₆₇₈₉"[Number(c)]);
}

function formatExtent(x: number): string {
  return x >= 1e3 || x < 1e-2 ? x.toExponential(1) : String(Number(x.toPrecision(2)));
}

/** What renderCanvas uses of a CanvasRenderingContext2D (so this module needs no DOM types). */
export interface Pen {
  globalAlpha: number;
  strokeStyle: unknown;
  fillStyle: unknown;
  lineWidth: number;
  lineJoin: string;
  lineCap: string;
  font: string;
  textAlign: string;
  clearRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  arc(x: number, y: number, r: number, a0: number, a1: number): void;
  setLineDash(dash: number[]): void;
  stroke(): void;
  fill(): void;
  fillText(text: string, x: number, y: number): void;
}

export function renderCanvas(scene: Scene, ctx: Pen): void {
  ctx.clearRect(0, 0, scene.width, scene.height);
  ctx.lineJoin = "round";
  ctx.lineCap = "round";
  for (const it of scene.items) {
    ctx.globalAlpha = it.kind === "line" ? (it.alpha ?? 1) : 1;
    if (it.kind === "line") {
      ctx.beginPath();
      it.points.forEach(([x, y], k) => {
        if (k) ctx.lineTo(x, y);
        else ctx.moveTo(x, y);
      });
      ctx.setLineDash(it.dash ?? []);
      ctx.strokeStyle = it.color;
      ctx.lineWidth = it.width;
      if (it.fill) {
        ctx.fillStyle = it.color;
        ctx.fill();
      }
      ctx.stroke();
    } else if (it.kind === "circle") {
      ctx.beginPath();
      ctx.arc(it.x, it.y, it.r, 0, 2 * Math.PI);
      ctx.fillStyle = it.color;
      ctx.fill();
    } else {
      ctx.fillStyle = it.color;
      ctx.font = `${it.size}px system-ui, sans-serif`;
      ctx.textAlign = it.anchor === "middle" ? "center" : it.anchor === "end" ? "right" : "left";
      ctx.fillText(it.text, it.x, it.y);
    }
  }
  ctx.globalAlpha = 1;
  ctx.setLineDash([]);
}

export const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const num = (x: number) => String(Math.round(x * 100) / 100);

export function renderSvg(scene: Scene): string {
  const body = scene.items.map((it) => {
    if (it.kind === "line") {
      const pts = it.points.map(([x, y]) => `${num(x)},${num(y)}`).join(" ");
      const tag = it.fill ? "polygon" : "polyline";
      return `<${tag} points="${pts}" fill="${it.fill ? it.color : "none"}" stroke="${it.color}" stroke-width="${it.width}"${it.alpha !== undefined ? ` stroke-opacity="${it.alpha}"` : ""}${it.dash?.length ? ` stroke-dasharray="${it.dash.join(" ")}"` : ""} stroke-linejoin="round" stroke-linecap="round"/>`;
    }
    if (it.kind === "circle")
      return `<circle cx="${num(it.x)}" cy="${num(it.y)}" r="${it.r}" fill="${it.color}"/>`;
    return `<text x="${num(it.x)}" y="${num(it.y)}" font-size="${it.size}" fill="${it.color}" text-anchor="${it.anchor}">${escapeXml(it.text)}</text>`;
  });
  return svgDocument(scene.width, scene.height, body);
}

export function svgDocument(width: number, height: number, body: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, DejaVu Sans, sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${body.join("\n")}\n</svg>\n`;
}
