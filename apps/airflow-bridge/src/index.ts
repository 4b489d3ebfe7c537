export type { TaskCommandOptions } from "./task-command.js";
export { taskCommandFor } from "./task-command.js";
