import { resolve } from "node:path";
import { runDemo } from "./run-demo.js";

const rows = Number(process.env.SLUICE_DEMO_ROWS ?? 50_000);
const lakeDirectory = resolve(process.env.SLUICE_DEMO_LAKE ?? ".sluice-demo/lake");
const counts = await runDemo({ rows, lakeDirectory, print: (line) => console.log(line) });
process.exitCode = counts.source === counts.target && counts.sourceAmount === counts.targetAmount ? 0 : 1;
