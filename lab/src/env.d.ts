/** presets/*.yaml, embedded by scripts/build-lab.mjs: preset name → the file's text. */
declare module "virtual:presets" {
  const presets: Record<string, string>;
  export default presets;
}

/** The spec's JSON Schema (src/spec/jsonSchema.ts's specJsonSchema()), embedded by scripts/build-lab.mjs. */
declare module "virtual:spec-schema" {
  const schema: Record<string, unknown>;
  export default schema;
}
