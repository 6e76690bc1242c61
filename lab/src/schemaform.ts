/**
 * The spec form, generated from the spec's JSON Schema (the one `npx overparam schema` prints,
 * embedded at build time): a field per property — enums as selects, numbers as number inputs,
 * booleans as true/false selects, the metric list as checkboxes, anything else (lists, .npy
 * paths, unions of shapes) as a YAML value — and for a discriminated union (teacher, init,
 * optimizer: a `kind` constant per variant) a select of kinds that shows the chosen variant's
 * fields. Every field exists once in the DOM and is shown or hidden (so focus and keyboard
 * order survive edits). Values go through `onChange(path, value)`; `undefined` removes a field.
 */
import YAML from "yaml";
import { type Doc, getPath } from "./specdoc.js";

type Json = Record<string, unknown>;

export interface FormField {
  path: string;
  id: string;
  kind: "integer" | "number" | "enum" | "boolean" | "string" | "yaml" | "kind" | "list";
  input: HTMLInputElement | HTMLSelectElement | null;
  /** For "list": one checkbox per allowed value. */
  boxes: HTMLInputElement[];
  wrap: HTMLElement;
  error: HTMLElement;
  /** Shown when any of these holds (a field of several union variants). */
  when: ((doc: Doc | null) => boolean)[];
  signature: string;
  /** The placeholder when not swept (the schema's default). */
  placeholder: string;
}

export interface SchemaForm {
  fields: FormField[];
  /** Shows the fields that apply to the document and writes its values into them. */
  render(doc: Doc | null, swept: Set<string>): void;
  /** Puts each problem next to the field it names (or its nearest shown ancestor field). */
  showProblems(problems: { path: string; message: string }[]): void;
}

/** Top-level properties left to the YAML view: the sweep (a map of lists) and reproduce options. */
const skipped = new Set(["sweep", "reproduce", "description"]);

export function buildSchemaForm(
  schema: Json,
  host: HTMLElement,
  onChange: (path: string, value: unknown) => void,
  describe: (path: string, value: string) => string = () => "",
): SchemaForm {
  const fields: FormField[] = [];
  const byPath = new Map<string, FormField[]>();
  const groups: { el: HTMLElement; when: ((doc: Doc | null) => boolean)[] }[] = [];
  /** Each union's variants: kind → the properties it allows. */
  const unions = new Map<string, Map<string, Set<string>>>();
  let current: Doc | null = null;

  const always = () => true;

  function leafKind(s: Json): FormField["kind"] {
    if (Array.isArray(s.enum) && s.type === "string") return "enum";
    if (s.type === "integer") return "integer";
    if (s.type === "number") return "number";
    if (s.type === "boolean") return "boolean";
    if (s.type === "string") return "string";
    if (s.type === "array" && Array.isArray((s.items as Json | undefined)?.enum)) return "list";
    return "yaml";
  }

  function isUnion(s: Json): s is Json & { oneOf: Json[] } {
    return (
      Array.isArray(s.oneOf) &&
      (s.oneOf as Json[]).every(
        (v) =>
          typeof ((v.properties as Json | undefined)?.kind as Json | undefined)?.const === "string",
      )
    );
  }

  function addField(
    path: string,
    s: Json,
    container: HTMLElement,
    when: (doc: Doc | null) => boolean,
    required: boolean,
    kindOverride?: { kinds: string[] },
  ): void {
    const kind: FormField["kind"] = kindOverride ? "kind" : leafKind(s);
    const signature = JSON.stringify([kind, kindOverride?.kinds, s.enum, s.type, s.items]);
    const existing = byPath.get(path)?.find((f) => f.signature === signature);
    if (existing) {
      existing.when.push(when);
      return;
    }
    const same = byPath.get(path)?.length ?? 0;
    const id = `field-${path.replace(/\./g, "-")}${same ? `-${same + 1}` : ""}`;
    const wrap = document.createElement("div");
    wrap.className = kind === "list" ? "field field-list" : "field";
    const name = path.split(".").at(-1)!;
    const error = document.createElement("div");
    error.className = "field-error";
    error.id = `${id}-error`;
    error.setAttribute("aria-live", "polite");
    const dflt = s.default;
    const boxes: HTMLInputElement[] = [];
    let input: HTMLInputElement | HTMLSelectElement | null = null;
    if (kind === "list") {
      const set = document.createElement("fieldset");
      set.id = id;
      const legend = document.createElement("legend");
      legend.textContent = name;
      set.append(legend);
      const values = ((s.items as Json).enum as string[]) ?? [];
      for (const v of values) {
        const label = document.createElement("label");
        label.className = "check";
        const box = document.createElement("input");
        box.type = "checkbox";
        box.value = v;
        box.id = `${id}-${v}`;
        box.addEventListener("change", () =>
          onChange(
            path,
            boxes.filter((b) => b.checked).map((b) => b.value),
          ),
        );
        label.title = describe(path, v);
        label.append(box, ` ${v}`);
        set.append(label);
        boxes.push(box);
      }
      wrap.append(set, error);
    } else {
      const label = document.createElement("label");
      label.htmlFor = id;
      label.textContent = kind === "kind" ? `${path.split(".").at(-2)} kind` : name;
      if (kind === "enum" || kind === "boolean" || kind === "kind") {
        const select = document.createElement("select");
        const options =
          kind === "kind"
            ? kindOverride!.kinds
            : kind === "boolean"
              ? ["true", "false"]
              : (s.enum as string[]);
        if (!required || dflt !== undefined)
          select.add(
            new Option(dflt !== undefined ? `(default: ${String(dflt)})` : "(not set)", ""),
          );
        for (const o of options) {
          const opt = new Option(o, o);
          opt.title = describe(path, o);
          select.add(opt);
        }
        input = select;
      } else {
        const text = document.createElement("input");
        text.type = "text";
        text.autocomplete = "off";
        text.spellcheck = false;
        if (kind === "integer") text.inputMode = "numeric";
        if (kind === "number") text.inputMode = "decimal";
        if (dflt !== undefined) text.placeholder = `default ${JSON.stringify(dflt)}`;
        input = text;
      }
      input.id = id;
      input.name = path;
      input.dataset.path = path;
      input.setAttribute("aria-describedby", error.id);
      const el = input;
      el.addEventListener("change", () => {
        if (kind !== "kind") return onChange(path, parseValue(kind, el.value));
        // a new kind keeps the fields the new variant also has (e.g. lr from gd to sgd)
        const at = path.replace(/\.kind$/, "");
        const allowed = unions.get(at)?.get(el.value) ?? new Set<string>();
        const old = getPath(current, at);
        const next: Doc = { kind: el.value };
        if (old && typeof old === "object")
          for (const [k, v] of Object.entries(old as Doc))
            if (allowed.has(k) && k !== "kind") next[k] = v;
        onChange(at, next);
      });
      wrap.append(label, input, error);
    }
    container.append(wrap);
    const placeholder = input instanceof HTMLInputElement ? input.placeholder : "";
    const field: FormField = {
      path,
      id,
      kind,
      input,
      boxes,
      wrap,
      error,
      when: [when],
      signature,
      placeholder,
    };
    fields.push(field);
    byPath.set(path, [...(byPath.get(path) ?? []), field]);
  }

  function walk(
    s: Json,
    path: string,
    container: HTMLElement,
    when: (doc: Doc | null) => boolean,
    required: boolean,
    depth: number,
  ): void {
    if (isUnion(s)) {
      const variants = s.oneOf as Json[];
      const kinds = variants.map((v) => ((v.properties as Json).kind as Json).const as string);
      unions.set(
        path,
        new Map(variants.map((v, i) => [kinds[i], new Set(Object.keys(v.properties as Json))])),
      );
      const group = document.createElement("fieldset");
      group.className = "group";
      const legend = document.createElement("legend");
      legend.textContent = path;
      group.append(legend);
      container.append(group);
      groups.push({ el: group, when: [when] });
      addField(`${path}.kind`, {}, group, when, required, { kinds });
      for (const v of variants) {
        const k = ((v.properties as Json).kind as Json).const as string;
        const inVariant = (doc: Doc | null) => when(doc) && getPath(doc, `${path}.kind`) === k;
        const req = new Set((v.required as string[] | undefined) ?? []);
        for (const [name, sub] of Object.entries(v.properties as Json))
          if (name !== "kind")
            walk(sub as Json, `${path}.${name}`, group, inVariant, req.has(name), depth + 1);
      }
      return;
    }
    if (s.type === "object" && s.properties && Object.keys(s.properties as Json).length) {
      let group: HTMLElement = container;
      if (path) {
        const set = document.createElement("fieldset");
        set.className = "group";
        const legend = document.createElement("legend");
        legend.textContent = path;
        set.append(legend);
        if (depth >= 2) {
          // nested objects (e.g. loss.train's .npy files) start folded
          const details = document.createElement("details");
          const summary = document.createElement("summary");
          summary.textContent = path;
          details.append(summary, set);
          container.append(details);
          groups.push({ el: details, when: [when] });
        } else {
          container.append(set);
          groups.push({ el: set, when: [when] });
        }
        group = set;
      }
      const req = new Set((s.required as string[] | undefined) ?? []);
      for (const [name, sub] of Object.entries(s.properties as Json)) {
        if (!path && skipped.has(name)) continue;
        walk(sub as Json, path ? `${path}.${name}` : name, group, when, req.has(name), depth + 1);
      }
      return;
    }
    addField(path, s, container, when, required);
  }

  walk(schema, "", host, always, true, 0);

  const shown = (f: { when: ((doc: Doc | null) => boolean)[] }, doc: Doc | null) =>
    f.when.some((w) => w(doc));

  return {
    fields,
    render(doc, swept) {
      current = doc;
      for (const g of groups) g.el.hidden = !shown(g, doc);
      for (const f of fields) {
        f.wrap.hidden = !shown(f, doc);
        if (f.wrap.hidden) continue;
        const v = getPath(doc, f.path);
        const isSwept =
          swept.has(f.path) || (f.kind === "kind" && swept.has(f.path.replace(/\.kind$/, "")));
        f.wrap.title = isSwept ? "swept (see the YAML's sweep); setting it fixes it" : "";
        if (f.kind === "list") {
          const chosen = new Set(Array.isArray(v) ? (v as string[]) : ["loss"]);
          for (const b of f.boxes) b.checked = chosen.has(b.value);
          continue;
        }
        const input = f.input!;
        if (document.activeElement === input && input.getAttribute("aria-invalid") === "true")
          continue;
        if (input instanceof HTMLInputElement) {
          // a swept field shows as empty with its values as placeholder: typing fixes it
          input.value = isSwept ? "" : formatValue(f.kind, v);
          if (isSwept) input.placeholder = `swept: ${JSON.stringify(sweep(doc)[f.path])}`;
          else if (input.placeholder.startsWith("swept")) input.placeholder = f.placeholder;
        } else input.value = formatValue(f.kind, v);
      }
    },
    showProblems(problems) {
      const mine = new Map<FormField, string[]>();
      const visible = fields.filter((f) => !f.wrap.hidden);
      for (const p of problems) {
        // the field named, else the union's kind, else the nearest enclosing field
        let target: FormField | undefined;
        const parts = p.path.split(".");
        for (let n = parts.length; n > 0 && !target; n--) {
          const prefix = parts.slice(0, n).join(".");
          target =
            visible.find((f) => f.path === prefix) ??
            visible.find((f) => f.kind === "kind" && f.path === `${prefix}.kind`);
        }
        if (target) mine.set(target, [...(mine.get(target) ?? []), `${p.path}: ${p.message}`]);
      }
      for (const f of fields) {
        const list = mine.get(f) ?? [];
        f.error.textContent = list.join("\n");
        for (const el of f.input ? [f.input] : f.boxes)
          el.setAttribute("aria-invalid", list.length ? "true" : "false");
      }
    },
  };
}

function sweep(doc: Doc | null): Doc {
  const s = doc?.sweep;
  return s && typeof s === "object" && !Array.isArray(s) ? (s as Doc) : {};
}

function parseValue(kind: FormField["kind"], raw: string): unknown {
  const t = raw.trim();
  if (t === "") return undefined;
  if (kind === "integer" || kind === "number")
    // numbers as numbers; anything else goes in as text so the validator names the problem
    return Number.isFinite(Number(t)) ? Number(t) : raw;
  if (kind === "boolean") return t === "true";
  if (kind === "yaml") {
    try {
      return YAML.parse(t) as unknown;
    } catch {
      return raw;
    }
  }
  return raw;
}

function formatValue(kind: FormField["kind"], v: unknown): string {
  if (v === undefined || v === null) return "";
  if (kind === "yaml" || typeof v === "object") return JSON.stringify(v);
  return String(v);
}
