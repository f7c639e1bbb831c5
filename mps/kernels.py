"""Warm kernels: run many notebooks on one pre-started kernel per worker process.

Starting a kernel costs about 1.3 s and importing pandas, seaborn and statsmodels in it
about 4.5 s, while one area's real work is well under a second (TOOLING notes §2). So
each worker process of a build keeps one kernel alive, with the analysis stack already
imported, and runs its notebooks on it one after another through papermill (as the
``mps-warm`` engine).

Isolation between notebooks: before each notebook the kernel's user namespace is wiped
(``%reset -f``: variables, history and cached outputs), every figure is closed,
matplotlib, seaborn and pandas settings are put back to their defaults and the working
directory is reset. Only imported modules survive, which is the point. If a kernel dies,
the next notebook starts a fresh one.
"""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import threading
import time
from multiprocessing import util as multiprocessing_util
from pathlib import Path

from jupyter_client.asynchronous import AsyncKernelClient
from jupyter_client.manager import KernelManager
from nbclient.util import ensure_async, run_hook, run_sync
from nbformat import NotebookNode
from papermill.clientwrap import PapermillNotebookClient
from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines
from traitlets import Unicode

ENGINE_NAME = "mps-warm"
KERNEL_NAME = "python3"
START_TIMEOUT = 120

#: What a warm kernel imports once, so notebooks find it already loaded.
WARM_IMPORTS = """
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot
import pandas
import seaborn
import statsmodels.api
import mps.analysis
import mps.analysis.forecast
import mps.charts
import mps.documents
import mps.notebook
import mps.presentation
import mps.sufficiency_report
import mps.sufficiency_tables
import mps.sufficiency_text
import warnings
mps._warm_kernel_warning_filters = list(warnings.filters)
import gc
gc.collect()
gc.freeze()
"""

#: Run before every notebook: nothing a previous notebook defined may be visible.
#: Settings first, then one ``%reset`` (which also removes the names this code made). The
#: reset collects garbage; the imported stack was frozen out of the collector's sight
#: (``gc.freeze()`` above), which makes it 0.01 s rather than 0.27 s.
RESET_CODE = """
import matplotlib as _mpl, matplotlib.pyplot as _plt, pandas as _pd, os as _os, warnings as _w
import mps as _mps
_plt.close("all")
_mpl.rcdefaults()
_mpl.use("Agg")
with _w.catch_warnings():
    _w.simplefilter("ignore")  # pandas warns about its own deprecated options
    _pd.reset_option("all")
_w.filters[:] = _mps._warm_kernel_warning_filters
_os.chdir({cwd!r})
get_ipython().run_line_magic("reset", "-f")
"""

log = logging.getLogger("mps.kernels")


class WarmKernel:
    """One kernel kept alive in this process, with the analysis stack imported."""

    def __init__(self, kernel_name: str = KERNEL_NAME, log_dir: str | Path | None = None):
        self.kernel_name = kernel_name
        #: The kernel process's own log lines (start-up warnings, crashes) go to a file
        #: here rather than the analyst's terminal; cell outputs are not affected.
        self.log_dir = Path(log_dir) if log_dir else None
        self.manager: KernelManager | None = None
        self.notebooks_run = 0
        self._lock = threading.Lock()  # prestart may run in a background thread

    def _start(self, cwd: str) -> None:
        manager = KernelManager(kernel_name=self.kernel_name)
        streams = {}
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            log_file = open(self.log_dir / f"kernel-{os.getpid()}.log", "ab")  # noqa: SIM115
            streams = {"stdout": log_file, "stderr": log_file}
        # No history database: the kernel would write every cell of every area to it.
        manager.start_kernel(cwd=cwd, extra_arguments=["--HistoryManager.enabled=False"], **streams)
        client = manager.client()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=START_TIMEOUT)
            reply = client.execute_interactive(
                WARM_IMPORTS, timeout=START_TIMEOUT, store_history=False
            )
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"warm kernel could not import the stack: {reply['content']}")
        finally:
            client.stop_channels()
        self.manager = manager

    def ensure_started(self, cwd: str) -> KernelManager:
        """Start the kernel if it is not running (or died); return its manager."""
        with self._lock:
            return self._ensure_started(cwd)

    def _ensure_started(self, cwd: str) -> KernelManager:
        if self.manager is None or not self.manager.is_alive():
            if self.manager is not None:
                log.warning(
                    "warm kernel died after %d notebooks; starting a new one", self.notebooks_run
                )
                self.shutdown()
            self._start(cwd)
        assert self.manager is not None
        return self.manager

    def shutdown(self) -> None:
        if self.manager is not None:
            with contextlib.suppress(Exception):  # already gone: nothing to clean up
                self.manager.shutdown_kernel(now=True)
            self.manager = None


_KERNEL: WarmKernel | None = None


def warm_kernel(log_dir: str | Path | None = None) -> WarmKernel:
    """This process's warm kernel (shut down when the process exits)."""
    global _KERNEL
    if _KERNEL is None:
        _KERNEL = WarmKernel(log_dir=log_dir)
        # multiprocessing workers leave through os._exit: atexit would never run.
        multiprocessing_util.Finalize(_KERNEL, _KERNEL.shutdown, exitpriority=10)
    return _KERNEL


def prestart(cwd: str | Path, log_dir: str | Path | None = None) -> float:
    """Start this process's warm kernel now (e.g. while data is being prepared)."""
    started = time.perf_counter()
    warm_kernel(log_dir).ensure_started(str(cwd))
    return time.perf_counter() - started


def prestart_in_background(cwd: str | Path, log_dir: str | Path | None = None) -> threading.Thread:
    """Start the warm kernel in a background thread; notebooks wait for it if needed."""

    def start() -> None:
        try:
            prestart(cwd, log_dir)
        except Exception:  # the first notebook will retry and report the error
            log.exception("could not prestart the warm kernel")

    thread = threading.Thread(target=start, name="mps-warm-kernel", daemon=True)
    thread.start()
    return thread


class _SaveAtEnd(NotebookExecutionManager):
    """Writes the executed notebook once, when it finishes (or fails).

    papermill writes the whole notebook before and after every cell, as progress for long
    runs; for our short notebooks those writes (each validating the notebook) took longer
    than the cells themselves.
    """

    _finished = False

    def save(self, **kwargs) -> None:
        if self._finished:
            super().save(**kwargs)
        else:
            self.last_save_time = self.now()

    def notebook_complete(self, **kwargs) -> None:
        self._finished = True
        super().notebook_complete(**kwargs)


async def wait_until_ready(client, timeout: float) -> None:
    """Return when ``client`` hears the kernel on both channels.

    jupyter_client's ``wait_for_ready`` does this too, then always waits 0.2 s more for
    stray messages: a fifth of the cost of a short notebook. Here the kernel's status
    messages for a ``kernel_info`` request, seen on the IOPub channel, show that the
    subscription is live (messages sent before that would be lost), and nothing more is
    waited for.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        request = client.kernel_info()
        with contextlib.suppress(queue.Empty):
            while True:
                message = await ensure_async(client.get_iopub_msg(timeout=0.1))
                if message["parent_header"].get("msg_id") == request:
                    # and its reply, so that shell replies do not pile up
                    while True:
                        reply = await ensure_async(client.get_shell_msg(timeout=timeout))
                        if reply["parent_header"].get("msg_id") == request:
                            return
    raise RuntimeError(f"the warm kernel did not answer within {timeout:.0f} s")


class WarmNotebookClient(PapermillNotebookClient):
    """papermill's notebook client for a warm kernel: it connects without the fixed wait
    (:func:`wait_until_ready`) and, before the first cell, runs ``reset_code`` (the
    namespace wipe, :data:`RESET_CODE`) on the same connection."""

    reset_code = Unicode("").tag(config=True)

    async def async_start_new_kernel_client(self):
        assert self.km is not None
        # An asynchronous client, although the kernel's manager is synchronous: nbclient
        # waits for a cell's output while it checks that the kernel is alive, which a
        # blocking client cannot do (a kernel that died mid-cell hung the build).
        self.kc = AsyncKernelClient(
            **self.km.get_connection_info(session=True),
            connection_file=self.km.connection_file,
            parent=self.km,
        )
        await ensure_async(self.kc.start_channels())
        try:
            await wait_until_ready(self.kc, self.startup_timeout)
            if self.reset_code:
                reply = await ensure_async(
                    self.kc.execute_interactive(
                        self.reset_code,
                        timeout=60,
                        store_history=False,
                        output_hook=lambda message: None,
                    )
                )
                if reply["content"]["status"] != "ok":
                    raise RuntimeError(f"could not reset the warm kernel: {reply['content']}")
        except Exception:
            self.kc.stop_channels()
            raise
        self.kc.allow_stdin = False
        await run_hook(self.on_notebook_start, notebook=self.nb)
        return self.kc

    # nbclient's synchronous name is bound to its own coroutine: bind it to this one
    start_new_kernel_client = run_sync(async_start_new_kernel_client)


class WarmEngine(NBClientEngine):
    """A papermill engine that runs each notebook on this process's warm kernel."""

    @classmethod
    def execute_notebook(
        cls,
        nb,
        kernel_name,
        output_path=None,
        progress_bar=True,
        log_output=False,
        autosave_cell_every=30,
        **kwargs,
    ) -> NotebookNode:
        # As papermill's Engine.execute_notebook, with a manager that saves only at the end.
        nb_man = _SaveAtEnd(
            nb,
            output_path=output_path,
            progress_bar=progress_bar,
            log_output=log_output,
            autosave_cell_every=autosave_cell_every,
        )
        nb_man.notebook_start()
        try:
            cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
        finally:
            nb_man.cleanup_pbar()
            nb_man.notebook_complete()
        return nb_man.nb

    @classmethod
    def execute_managed_notebook(
        cls,
        nb_man,
        kernel_name,
        log_output=False,
        stdout_file=None,
        stderr_file=None,
        start_timeout=60,
        execution_timeout=None,
        **kwargs,
    ) -> NotebookNode:
        cwd = kwargs.pop("cwd", None) or os.getcwd()
        kernel = warm_kernel()
        manager = kernel.ensure_started(str(cwd))
        kwargs.pop("input_path", None)
        client = WarmNotebookClient(
            nb_man,
            km=manager,
            reset_code=RESET_CODE.format(cwd=str(cwd)),
            timeout=execution_timeout,
            startup_timeout=start_timeout,
            kernel_name=kernel_name,
            log=logging.getLogger("papermill"),
            log_output=log_output,
            stdout_file=stdout_file,
            stderr_file=stderr_file,
        )
        try:
            return client.execute()
        finally:
            kernel.notebooks_run += 1
            if client.kc is not None:
                client.kc.stop_channels()


papermill_engines.register(ENGINE_NAME, WarmEngine)
