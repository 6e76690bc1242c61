/**
 * The page's whole state (spec text, preset, chart views) in the URL hash as deflated JSON in
 * base64url, so a copied link reproduces the run: `#s=…` (or `#j=…` uncompressed where the
 * browser lacks CompressionStream). The spec text is kept verbatim, comments included; its seed
 * is a field of the spec.
 */

export interface Views {
  x: "step" | "time";
  lossScale: "log" | "linear";
  overlay: boolean;
  metric: string;
  metricScale: "log" | "linear";
}

export interface LabState {
  preset: string | null;
  text: string;
  views: Views;
}

export const defaultViews: Views = {
  x: "step",
  lossScale: "log",
  overlay: true,
  metric: "",
  metricScale: "linear",
};

function toBase64Url(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i += 0x8000)
    s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

async function pipe(bytes: Uint8Array, stream: GenericTransformStream): Promise<Uint8Array> {
  const body = new Blob([bytes as BlobPart]).stream().pipeThrough(stream);
  return new Uint8Array(await new Response(body).arrayBuffer());
}

export async function encodeState(state: LabState): Promise<string> {
  const json = new TextEncoder().encode(
    JSON.stringify({ p: state.preset, t: state.text, v: state.views }),
  );
  if (typeof CompressionStream === "function")
    return `s=${toBase64Url(await pipe(json, new CompressionStream("deflate-raw")))}`;
  return `j=${toBase64Url(json)}`;
}

/** The state in a hash (with or without the leading #), or null when there is none or it is unreadable. */
export async function decodeState(hash: string): Promise<LabState | null> {
  const h = hash.replace(/^#/, "");
  try {
    let bytes: Uint8Array;
    if (h.startsWith("s="))
      bytes = await pipe(fromBase64Url(h.slice(2)), new DecompressionStream("deflate-raw"));
    else if (h.startsWith("j=")) bytes = fromBase64Url(h.slice(2));
    else return null;
    const raw = JSON.parse(new TextDecoder().decode(bytes)) as {
      p?: unknown;
      t?: unknown;
      v?: unknown;
    };
    if (typeof raw.t !== "string") return null;
    const v = (raw.v && typeof raw.v === "object" ? raw.v : {}) as Partial<Views>;
    return {
      preset: typeof raw.p === "string" ? raw.p : null,
      text: raw.t,
      views: {
        x: v.x === "time" ? "time" : "step",
        lossScale: v.lossScale === "linear" ? "linear" : "log",
        overlay: v.overlay !== false,
        metric: typeof v.metric === "string" ? v.metric : "",
        metricScale: v.metricScale === "log" ? "log" : "linear",
      },
    };
  } catch {
    return null;
  }
}
