"""Prints, as JSON, what Airflow's metadata DB (SQLite) recorded for a DAG's runs:
every task instance's final state and try number, the earlier tries, and the XCom
values. The tests read this rather than Airflow's log text, which changes between releases."""
import json
import sqlite3
import sys
from datetime import datetime, timezone

db = sqlite3.connect(sys.argv[1])
dag_id = sys.argv[2]


def rows(sql):
    cursor = db.execute(sql, (dag_id,))
    names = [column[0] for column in cursor.description]
    return [{name: _plain(name, value) for name, value in zip(names, row)} for row in cursor.fetchall()]


def _plain(name, value):
    # XCom values are JSON text on Airflow 3 and JSON bytes on 2.10; dates are stored in
    # different text forms (always UTC): both become one shape here, dates as epoch seconds.
    if isinstance(value, bytes):
        return value.decode()
    if name.endswith("_date") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return (moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)).timestamp()
    return value


print(
    json.dumps(
        {
            "runs": rows("SELECT run_id, state FROM dag_run WHERE dag_id = ?"),
            "tasks": rows(
                "SELECT task_id, state, try_number, max_tries, start_date, end_date"
                " FROM task_instance WHERE dag_id = ? ORDER BY task_id"
            ),
            "earlier_tries": rows(
                "SELECT task_id, state, try_number FROM task_instance_history WHERE dag_id = ? ORDER BY task_id, try_number"
            ),
            "xcom": rows("SELECT task_id, key, value FROM xcom WHERE dag_id = ? ORDER BY task_id, key"),
        }
    )
)
