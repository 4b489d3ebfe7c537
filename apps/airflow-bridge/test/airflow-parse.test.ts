import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { type DagSpec, dagDefaults, writeDagFile } from "../src/index.js";
import { airflowHome, airflowVenv, bridgeRoot, run } from "./airflow-harness.js";

/**
 * Both variants of a generated DAG imported by Airflow's own DagBag, on Airflow 3 (what
 * the DAGs target) and 2.10 (still widely run): no import errors, one task per table
 * with the right operator, retries, dependencies and the exact command, including a
 * flag full of characters that would break a naive Python template.
 */
const awkwardFlag = `--strategy-option=note="it's" \\ {{ ds }} ünïcode\nline`;

function spec(overrides: Partial<DagSpec>): DagSpec {
  return {
    dagId: "sluice_parse",
    tables: [
      { table: { schema: "shop", table: "orders" }, dependsOn: [], extraArgs: [] },
      {
        table: { schema: "shop", table: "order_items" },
        dependsOn: [{ schema: "shop", table: "orders" }],
        extraArgs: [awkwardFlag],
      },
      { table: { schema: "shop", table: "pay$ments" }, dependsOn: [], extraArgs: [] },
    ],
    pipelinePath: "pipelines/shop.yml",
    maxActiveTasks: 2,
    schedule: "*/30 * * * *",
    startDate: dagDefaults.startDate,
    retries: 5,
    retryDelaySeconds: 120,
    retryExitCodes: [3, 4],
    sluiceCommand: ["sluice"],
    commonArgs: ["--verify-data"],
    envFromConnections: {},
    envFromVariables: {},
    tags: ["sluice"],
    ...overrides,
  };
}

interface Inspected {
  airflow_version: string;
  import_errors: Record<string, string>;
  dags: {
    dag_id: string;
    max_active_tasks: number;
    max_active_runs: number;
    catchup: boolean;
    tasks: {
      task_id: string;
      operator: string[];
      retries: number;
      retry_delay_seconds: number;
      upstream: string[];
      command: string[];
    }[];
  }[];
}

describe.each(["3", "2.10"] as const)("generated DAG files parse on Airflow %s", (series) => {
  it("both variants: tasks, operators, retries, dependencies and commands as generated", async () => {
    const venv = await airflowVenv(series);
    const home = await airflowHome();
    onTestFinished(home.remove);
    await writeDagFile(spec({}), home.dags).then((result) => result._unsafeUnwrap());
    const k8s = spec({
      dagId: "sluice_parse_k8s",
      kubernetes: { image: "registry.example/sluice:1", namespace: "etl", envSecret: "sluice-urls" },
    });
    await writeDagFile(k8s, home.dags).then((result) => result._unsafeUnwrap());
    const out = join(home.home, "dags.json");
    const inspect = await run(
      join(venv, "bin", "python"),
      [join(bridgeRoot, "airflow", "inspect_dag.py"), home.dags, out],
      home.env(),
    );
    expect(inspect.code, inspect.stderr).toBe(0);
    const inspected = JSON.parse(await readFile(out, "utf8")) as Inspected;

    expect(inspected.airflow_version.startsWith(series === "3" ? "3." : "2.10.")).toBe(true);
    expect(inspected.import_errors).toEqual({});
    expect(inspected.dags.map((dag) => dag.dag_id)).toEqual(["sluice_parse", "sluice_parse_k8s"]);
    for (const dag of inspected.dags) {
      expect(dag).toMatchObject({ max_active_tasks: 2, max_active_runs: 1, catchup: false });
      const kubernetes = dag.dag_id.endsWith("k8s");
      expect(dag.tasks.map((task) => task.task_id).sort()).toEqual([
        "shop.order_items",
        "shop.orders",
        "shop.pay_ments",
      ]);
      for (const task of dag.tasks) {
        expect(task.operator).toContain(kubernetes ? "KubernetesPodOperator" : "PythonOperator");
        if (kubernetes) expect(task.operator[0]).toBe("SluicePodOperator");
        expect(task).toMatchObject({ retries: 5, retry_delay_seconds: 120 });
      }
      const items = dag.tasks.find((task) => task.task_id === "shop.order_items");
      expect(items?.upstream).toEqual(["shop.orders"]);
      const args = [
        "sync",
        "-p",
        "pipelines/shop.yml",
        "--table",
        "shop.order_items",
        "--json",
        "--verify-data",
        awkwardFlag,
      ];
      expect(items?.command).toEqual(kubernetes ? ["sluice", ...args] : args);
      const payments = dag.tasks.find((task) => task.task_id === "shop.pay_ments");
      expect(payments?.command).toContain("shop.pay$ments");
    }
  }, 1_200_000);
});
