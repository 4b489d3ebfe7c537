"""Imports a folder of DAG files the way Airflow's DAG processor does and writes what
Airflow made of them as JSON to a file (Airflow logs on stdout): import errors, tasks,
their operator classes, retries, upstreams and command. So the tests check generated
files against a real Airflow, 3.x or 2.10, not against a regex.

    python inspect_dag.py DAGS_FOLDER OUT.json
"""
import json
import sys

try:  # Airflow 3
    from airflow.dag_processing.dagbag import DagBag
except ImportError:  # Airflow 2.10
    from airflow.models.dagbag import DagBag

import airflow


def _command(task):
    # What the task will run: the partial's bound arguments, or the pod's arguments.
    bound = getattr(getattr(task, "python_callable", None), "args", None)
    if bound is not None:
        return list(bound[1])
    return list(getattr(task, "arguments", None) or [])


bag = DagBag(dag_folder=sys.argv[1])  # examples stay off: AIRFLOW__CORE__LOAD_EXAMPLES=False
dags = []
for dag_id, dag in sorted(bag.dags.items()):
    dags.append(
        {
            "dag_id": dag_id,
            "max_active_tasks": dag.max_active_tasks,
            "max_active_runs": dag.max_active_runs,
            "catchup": dag.catchup,
            "tasks": [
                {
                    "task_id": task.task_id,
                    "operator": [cls.__name__ for cls in type(task).__mro__],
                    "retries": task.retries,
                    "retry_delay_seconds": task.retry_delay.total_seconds(),
                    "upstream": sorted(task.upstream_task_ids),
                    "command": _command(task),
                }
                for task in dag.tasks
            ],
        }
    )
with open(sys.argv[2], "w") as out:
    out.write(json.dumps(
        {
            "airflow_version": airflow.__version__,
            "import_errors": {path: str(error) for path, error in bag.import_errors.items()},
            "dags": dags,
        }
    )
)
