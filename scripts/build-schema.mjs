// Writes dist/spec.schema.json, the JSON Schema of spec files, from the zod schema that
// validates them (one source of truth). Shipped with the package as "overparam/spec.schema.json".
import { writeFileSync } from "node:fs";
import { specJsonSchema } from "../dist/spec/jsonSchema.js";

const out = new URL("../dist/spec.schema.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(specJsonSchema(), null, 2)}\n`);
