/** presets/*.yaml, embedded by scripts/build-lab.mjs: preset name → the file's text. */
declare module "virtual:presets" {
  const presets: Record<string, string>;
  export default presets;
}
