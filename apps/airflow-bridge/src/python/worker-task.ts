/**
 * Python for the default variant: each table's task is a PythonOperator that runs the
 * CLI as a child process on the worker. Why not a BashOperator: Airflow retries a
 * failed task whatever the reason, and a wrong setting retried three times only delays
 * the page to the operator. Raising AirflowFailException (never retried) for terminal
 * exit codes and AirflowException (retried) for transient ones makes the exit code
 * decide, and the callable's return value (the parsed `--json` report) is the XCom.
 * Kept free of anything Airflow 3 renamed, behind try/except imports, so it parses on 2.10 too.
 */
export const workerImports = `try:  # Airflow 3
    from airflow.providers.standard.operators.python import PythonOperator
except ImportError:  # Airflow 2.10
    from airflow.operators.python import PythonOperator
`;

export const workerRuntime = String.raw`log = logging.getLogger("airflow.task")


def _connection_uri(conn_id):
    try:  # Airflow 3
        from airflow.sdk import Connection
    except ImportError:  # Airflow 2.10
        from airflow.hooks.base import BaseHook

        return BaseHook.get_connection(conn_id).get_uri()
    return Connection.get(conn_id).get_uri()


def _variable(key):
    try:  # Airflow 3
        from airflow.sdk import Variable
    except ImportError:  # Airflow 2.10
        from airflow.models import Variable
    return Variable.get(key)


def _environment():
    # Resolved on the worker at run time: the URLs live in Airflow's connection and
    # variable store (or the worker's environment), never in this file.
    env = dict(os.environ)
    for name, conn_id in ENV_FROM_CONNECTIONS.items():
        env[name] = _connection_uri(conn_id)
    for name, key in ENV_FROM_VARIABLES.items():
        env[name] = _variable(key)
    return env


def _report(stdout):
    text = stdout.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        log.warning("sluice printed something other than a JSON report on stdout; not pushed to XCom")
        return None


def _table_report(document):
    # "sync -p FILE --table T --json" prints the pipeline's document with one entry; its
    # run report is the XCom, in the same shape as a run without -p.
    tables = document.get("tables") if isinstance(document, dict) and "pipeline" in document else None
    if isinstance(tables, list) and len(tables) == 1 and isinstance(tables[0], dict):
        return tables[0].get("report")
    return document


def _reason(document, last_line):
    # The last line sluice wrote on stderr, else the error its JSON document names.
    if last_line:
        return last_line
    tables = document.get("tables") if isinstance(document, dict) else None
    for entry in tables if isinstance(tables, list) else []:
        error = entry.get("error") if isinstance(entry, dict) else None
        if isinstance(error, dict) and error.get("message"):
            return error["message"]
    return "no message; see the task log"


def run_sluice(table, args, ti=None):
    """One table's sync. Returns the run report (XCom return_value); the exit code decides retries."""
    try:
        process = subprocess.Popen(
            SLUICE_COMMAND + args,
            env=_environment(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as error:
        raise AirflowFailException(
            f"{table}: cannot start {SLUICE_COMMAND[0]!r} ({error.strerror}); install the sluice CLI on the "
            "worker or regenerate the DAG with --sluice-command"
        ) from None
    # stdout holds the JSON report; stderr (errors, -v progress) streams into the task log.
    stdout = []
    reader = threading.Thread(target=lambda: stdout.append(process.stdout.read()), daemon=True)
    reader.start()
    last_line = ""
    try:
        for line in process.stderr:
            line = line.rstrip("\n")
            if line.strip():
                last_line = line
            log.info("%s", line)
        reader.join()
        code = process.wait()
    except BaseException:
        # The task was stopped (timeout, marked failed, worker shutdown): stop sluice too,
        # so it does not keep the table's lease; the next run recovers what it staged.
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
        raise
    document = _report("".join(stdout))
    if code == 0:
        return _table_report(document)
    if document is not None and ti is not None:
        # A run that did part of its work still shows what each stage did.
        ti.xcom_push(key="sluice_report", value=document)
    reason = _reason(document, last_line)
    if code < 0 or code in RETRY_EXIT_CODES:
        # 3: transient (unreachable host), 4: another run holds the table's lease, or the
        # process was killed (crash recovery makes the rerun exact): worth another try.
        raise AirflowException(f"{table}: sluice exited {code}, which is transient ({reason}); Airflow retries")
    raise AirflowFailException(
        f"{table}: sluice exited {code} ({reason}); not retried: fix the table's settings or the "
        "connection, then clear the task"
    )
`;

/** The operator for one table; `spec` is an entry of TABLES. */
export const workerOperator = `        tasks[spec["task_id"]] = PythonOperator(
            task_id=spec["task_id"],
            # Bound with partial, not op_kwargs: op_kwargs are Jinja templates and a flag
            # containing "{{" must reach sluice as written.
            python_callable=functools.partial(run_sluice, spec["table"], spec["args"]),
        )
`;
