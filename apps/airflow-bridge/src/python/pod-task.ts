/**
 * Python for the Kubernetes variant: each table's task is a KubernetesPodOperator
 * running the CLI in its own pod. KubernetesPodOperator fails a task with a plain
 * AirflowException whatever the container's exit code, so Airflow would retry a wrong
 * setting; the subclass reads the sluice container's exit code when the pod failed and
 * turns terminal codes into AirflowFailException (not retried). The report reaches
 * XCom the operator's way: the container writes it to /airflow/xcom/return.json.
 */
export const podImports = `from kubernetes.client import models as k8s

from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
`;

export const podRuntime = `def _exit_code(remote_pod, container_name):
    statuses = (remote_pod.status.container_statuses if remote_pod is not None and remote_pod.status else None) or []
    for status in statuses:
        if status.name == container_name and status.state and status.state.terminated:
            return status.state.terminated.exit_code
    return None


class SluicePodOperator(KubernetesPodOperator):
    """A sluice run in a pod: retried only for the exit codes in RETRY_EXIT_CODES."""

    # The command reaches sluice as generated: a flag containing "{{" is not a Jinja template.
    template_fields = tuple(field for field in KubernetesPodOperator.template_fields if field not in ("cmds", "arguments"))

    def cleanup(self, *args, **kwargs):
        try:
            return super().cleanup(*args, **kwargs)
        except AirflowFailException:
            raise
        except AirflowException as error:
            remote_pod = kwargs.get("remote_pod", args[1] if len(args) > 1 else None)
            code = _exit_code(remote_pod, self.base_container_name)
            if code is None or code == 0 or code in RETRY_EXIT_CODES:
                raise
            raise AirflowFailException(
                f"{self.task_id}: sluice exited {code}; not retried: fix the table's settings or the "
                "connection, then clear the task"
            ) from error


# The container's stdout is the JSON report, which the XCom sidecar reads from this
# file; stderr (errors, progress) stays in the pod log Airflow shows.
_POD_SCRIPT = 'exec "$@" > /airflow/xcom/return.json'
`;

export const podOperator = `        tasks[spec["task_id"]] = SluicePodOperator(
            task_id=spec["task_id"],
            image=KUBERNETES_IMAGE,
            namespace=KUBERNETES_NAMESPACE,
            cmds=["sh", "-c", _POD_SCRIPT, "sluice"],
            arguments=SLUICE_COMMAND + spec["args"],
            env_from=[k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name=KUBERNETES_SECRET))]
            if KUBERNETES_SECRET
            else None,
            do_xcom_push=True,
            get_logs=True,
        )
`;
