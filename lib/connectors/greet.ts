import { z } from "zod";
import { defineConnector, ui } from "@/lib/engine/connector";

/** A tiny demo block, used by the quickstart. */
export const greet = defineConnector({
  type: "greet",
  name: "Greet",
  description: "Builds a greeting for a name. A tiny demo block.",
  category: "demo",
  kind: "action",
  params: z
    .object({ name: z.string().min(1).max(1000).describe("Who to greet").meta(ui({ label: "Name", widget: "text", placeholder: "Ada" })) })
    .strict(),
  outputs: z.object({ message: z.string().describe('"Hello, <name>!"') }),
  run: async (_ctx, params) => ({ message: `Hello, ${params.name}!` }),
});
