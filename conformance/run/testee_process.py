"""The runner's side of the testee protocol: a robust client of one testee process.

``TesteeProcess`` starts the testee command (split with ``shlex``), sends the ``Hello``
(protocol version 2), checks the ``Handshake`` (protocol version 1 or 2; the runner does
not send a protocol-1 testee the cases with a file-system pre-state), then sends one
``ExportRequest`` per case and waits for its ``ExportResponse`` under a per-case timeout.
Nothing a testee does can crash the runner or stop the run:

- a testee that exits (crashes) while handling a case: the case fails with kind
  ``"crash"`` (exit status and the tail of its stderr); the next case restarts it;
- a testee that does not answer in time: killed, the case fails with kind ``"timeout"``;
- a frame that is truncated or announces more than the size limit (the protocol's one
  limit, ``conformance.protocol.DEFAULT_MAX_FRAME_BYTES``), a payload that is
  not an ``ExportResponse``, or a response echoing another case's name
  (``ExportResponse.case_name``; an empty one is accepted): the testee is killed (its
  stream can no longer be trusted), the case fails with kind ``"protocol"``;
- a testee that cannot be started or fails the handshake: the case fails with kind
  ``"startup"``; after ``MAX_STARTUP_FAILURES`` consecutive failures the testee is given
  up and every later case fails at once with that reason (so a broken command does not
  cost one start-up timeout per case).

Reading happens on a background thread per process (a queue of frames), writing on a
short-lived thread per request, so every wait has a deadline on every platform. The
testee's stderr is drained continuously (its last lines go into crash reports). On POSIX
the testee runs in its own session, and is killed with its process group.
"""

from __future__ import annotations

import collections
import contextlib
import os
import queue
import shlex
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import IO, BinaryIO, cast

from google.protobuf.message import DecodeError

from conformance.protocol import (
    DEFAULT_MAX_FRAME_BYTES,
    HEADER,
    PROTOCOL_VERSION,
    SUPPORTED_PROTOCOL_VERSIONS,
    FrameError,
    encode_frame,
    read_frame,
)
from conformance.protocol.conformance_pb2 import ExportRequest, ExportResponse, Handshake, Hello

__all__ = [
    "MAX_STARTUP_FAILURES",
    "CaseResult",
    "StartupError",
    "TesteeProcess",
    "default_testee_command",
    "op_registry_bytes",
    "shown_bytes",
]

#: Consecutive failed starts after which the testee is given up for the rest of the run.
MAX_STARTUP_FAILURES = 3
_STDERR_TAIL_BYTES = 4096
#: How many bytes of a bad or unfinished frame a failure report shows (as a bytes repr).
SHOWN_BYTES = 60


def default_testee_command() -> list[str]:
    """refimpl's own testee, run by this Python: ``python -m refimpl.testee``."""
    return [sys.executable, "-m", "refimpl.testee"]


def op_registry_bytes() -> bytes:
    """TF 2.21's op registry (a serialized ``tensorflow.OpList``), as ``Hello`` carries it."""
    from importlib import resources

    return (resources.files("refimpl") / "data" / "op_registry.pb").read_bytes()


class StartupError(Exception):
    """The testee could not be started, or its handshake was wrong."""


@dataclass
class CaseResult:
    """What became of one request: a response, or a failure of the testee itself."""

    response: ExportResponse | None
    #: None with a response; else "crash", "timeout", "protocol" or "startup".
    failure_kind: str | None = None
    failure: str = ""
    seconds: float = 0.0


@dataclass
class _Eof:
    pass


_Item = bytes | FrameError | _Eof | OSError


def shown_bytes(data: bytes, limit: int = SHOWN_BYTES) -> str:
    """The first ``limit`` bytes of ``data`` as a Python bytes literal (``b'oops\\n...'``),
    so that text a testee printed to stdout reads as text in a report."""
    return repr(data[:limit]) + ("..." if len(data) > limit else "")


class _Recorder:
    """The testee's stdout as ``read_frame`` reads it, remembering the first bytes of the
    frame being read (header included) for failure reports.

    Reads return what has arrived (``read1``), so the bytes of a frame that never
    completes are seen too.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self.stream = stream
        self._head = bytearray()
        self._lock = threading.Lock()

    def read(self, n: int = -1) -> bytes:
        read1 = getattr(self.stream, "read1", None)
        data: bytes = read1(n) if read1 is not None else self.stream.read(n)
        with self._lock:
            room = SHOWN_BYTES + 1 - len(self._head)
            if room > 0:
                self._head += data[:room]
        return data

    def reset(self) -> None:
        with self._lock:
            self._head = bytearray()

    def head(self) -> bytes:
        """The first bytes of the current frame (one more than shown: "..." if longer)."""
        with self._lock:
            return bytes(self._head)


class _Reader(threading.Thread):
    """Reads frames from the testee's stdout into a queue until EOF or a bad frame."""

    def __init__(self, stream: IO[bytes], max_bytes: int) -> None:
        super().__init__(daemon=True, name="testee-stdout")
        self.stream = stream
        self.recorder = _Recorder(stream)
        self.max_bytes = max_bytes
        self.frames: queue.Queue[_Item] = queue.Queue()
        #: Bytes of the frame being read (for timeout reports): (received, announced).
        self.partial: tuple[int, int] | None = None

    def _progress(self, received: int, announced: int) -> None:
        self.partial = (received, announced)

    def run(self) -> None:
        try:
            while True:
                self.partial = None
                self.recorder.reset()
                try:
                    payload = read_frame(
                        cast(BinaryIO, self.recorder), self.max_bytes, self._progress
                    )
                except FrameError as e:
                    self.frames.put(e)
                    return
                if payload is None:
                    self.frames.put(_Eof())
                    return
                self.frames.put(payload)
        except (OSError, ValueError) as e:  # the pipe closed under us
            self.frames.put(OSError(str(e)))


class _StderrDrain(threading.Thread):
    """Keeps the last bytes of the testee's stderr (so the pipe never fills up)."""

    def __init__(self, stream: IO[bytes], echo: IO[bytes] | None) -> None:
        super().__init__(daemon=True, name="testee-stderr")
        self.stream = stream
        self.echo = echo
        self.tail: collections.deque[bytes] = collections.deque()
        self.size = 0
        self.lock = threading.Lock()

    def run(self) -> None:
        try:
            fd = self.stream.fileno()
            while chunk := os.read(fd, 65536):
                if self.echo is not None:
                    with contextlib.suppress(OSError, ValueError):
                        self.echo.write(chunk)
                        self.echo.flush()
                with self.lock:
                    self.tail.append(chunk)
                    self.size += len(chunk)
                    while self.size - len(self.tail[0]) >= _STDERR_TAIL_BYTES:
                        self.size -= len(self.tail.popleft())
        except (OSError, ValueError):
            pass

    def text(self) -> str:
        with self.lock:
            data = b"".join(self.tail)[-_STDERR_TAIL_BYTES:]
        return data.decode("utf-8", "replace").strip()


def _text_hint(announced: int) -> str:
    """A hint when a frame header reads as text: a testee printing to stdout (section 3)."""
    header = HEADER.pack(announced)
    if not all(0x20 <= b < 0x7F for b in header):
        return ""
    return (
        f"; its header {header.hex()} reads as the text {header.decode('ascii')!r}: "
        "does the testee print to stdout?"
    )


class TesteeProcess:
    """One testee command, (re)started as needed; ``run`` never raises for testee faults."""

    def __init__(
        self,
        command: str | Sequence[str] | None = None,
        *,
        timeout: float = 30.0,
        startup_timeout: float = 60.0,
        max_frame_bytes: int = DEFAULT_MAX_FRAME_BYTES,
        echo_stderr: IO[bytes] | None = None,
        cwd: str | None = None,
    ) -> None:
        if command is None:
            self.argv = default_testee_command()
        elif isinstance(command, str):
            self.argv = shlex.split(command)
        else:
            self.argv = list(command)
        if not self.argv:
            raise ValueError("empty testee command")
        self.timeout = timeout
        self.startup_timeout = startup_timeout
        self.max_frame_bytes = max_frame_bytes
        self.echo_stderr = echo_stderr
        self.cwd = cwd
        self.handshake: Handshake | None = None
        self.starts = 0
        self.restarts_after_fault = 0
        #: Things worth reporting that belong to no case (e.g. unsolicited frames).
        self.notes: list[str] = []
        self._proc: subprocess.Popen[bytes] | None = None
        self._reader: _Reader | None = None
        self._stderr: _StderrDrain | None = None
        self._startup_failures = 0
        self._given_up: str | None = None
        self._hello: bytes | None = None

    # -- life cycle ----------------------------------------------------------------------
    @property
    def command_line(self) -> str:
        """The command as one shell-quoted line."""
        return shlex.join(self.argv)

    def _hello_frame(self) -> bytes:
        if self._hello is None:
            hello = Hello(protocol_version=PROTOCOL_VERSION, op_registry=op_registry_bytes())
            self._hello = encode_frame(hello.SerializeToString(), self.max_frame_bytes)
        return self._hello

    def start(self) -> Handshake:
        """Starts the testee and does the handshake; ``StartupError`` if that fails."""
        self.close()
        self.starts += 1
        kwargs: dict[str, object] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True
        try:
            proc = subprocess.Popen(
                self.argv,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                cwd=self.cwd,
                **kwargs,  # type: ignore[call-overload]
            )
        except OSError as e:
            raise StartupError(f"cannot start {self.command_line}: {e}") from None
        assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
        self._proc = proc
        self._reader = _Reader(proc.stdout, self.max_frame_bytes)
        self._reader.start()
        self._stderr = _StderrDrain(proc.stderr, self.echo_stderr)
        self._stderr.start()
        failure, kind, payload = self._exchange(self._hello_frame(), self.startup_timeout)
        if payload is None:
            self.close()
            raise StartupError(f"handshake failed ({kind}): {failure}")
        handshake = Handshake()
        try:
            handshake.ParseFromString(payload)
        except DecodeError as e:
            self.close()
            raise StartupError(f"handshake failed: the reply is not a Handshake: {e}") from None
        if handshake.protocol_version not in SUPPORTED_PROTOCOL_VERSIONS:
            self.close()
            supported = " or ".join(str(v) for v in SUPPORTED_PROTOCOL_VERSIONS)
            raise StartupError(
                f"handshake failed: the testee speaks protocol version "
                f"{handshake.protocol_version}, the runner {supported}"
            )
        self.handshake = handshake
        return handshake

    def ensure_started(self) -> Handshake:
        """The handshake of the running testee, starting it if needed."""
        if self._given_up is not None:
            raise StartupError(self._given_up)
        if self._proc is not None and self._proc.poll() is None and self.handshake is not None:
            return self.handshake
        try:
            handshake = self.start()
        except StartupError as e:
            self._startup_failures += 1
            if self._startup_failures >= MAX_STARTUP_FAILURES:
                self._given_up = (
                    f"{e} (gave up after {self._startup_failures} failed starts in a row)"
                )
            raise
        self._startup_failures = 0
        return handshake

    def close(self) -> None:
        """Ends the testee: closes its stdin, waits briefly, then kills it."""
        proc, self._proc = self._proc, None
        self.handshake = None
        if proc is None:
            return
        with contextlib.suppress(OSError, ValueError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self._kill(proc)
        self._kill_group(proc)
        for stream in (proc.stdout, proc.stderr):
            with contextlib.suppress(OSError, ValueError):
                if stream is not None:
                    stream.close()

    def kill(self) -> None:
        """Kills the testee at once (after a fault)."""
        proc = self._proc
        if proc is not None:
            self._kill(proc)
        self.close()

    @staticmethod
    def _kill(proc: subprocess.Popen[bytes]) -> None:
        TesteeProcess._kill_group(proc)
        with contextlib.suppress(OSError):
            proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)

    @staticmethod
    def _kill_group(proc: subprocess.Popen[bytes]) -> None:
        """Kills what is left of the testee's own process group (POSIX)."""
        if os.name == "posix":
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, signal.SIGKILL)

    def __enter__(self) -> TesteeProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- requests ------------------------------------------------------------------------
    def _stderr_tail(self) -> str:
        text = self._stderr.text() if self._stderr is not None else ""
        if not text:
            return ""
        lines = text.splitlines()[-12:]
        return "\n  testee stderr (last lines):\n    " + "\n    ".join(lines)

    def _exchange(
        self, frame: bytes, timeout: float
    ) -> tuple[str, str | None, bytes | None]:
        """Sends ``frame`` and waits for one frame back: (failure, kind, payload)."""
        proc, reader = self._proc, self._reader
        assert proc is not None and reader is not None and proc.stdin is not None
        deadline = time.monotonic() + timeout
        write_error: list[BaseException] = []
        stdin = proc.stdin

        def write() -> None:
            try:
                stdin.write(frame)
                stdin.flush()
            except (OSError, ValueError) as e:
                write_error.append(e)

        writer = threading.Thread(target=write, daemon=True, name="testee-stdin")
        writer.start()
        try:
            item = reader.frames.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            partial = reader.partial
            head = reader.recorder.head()
            extra = ""
            if partial is not None:
                extra = f" (a frame of {partial[1]} bytes had arrived up to byte {partial[0]}"
                extra += f"{_text_hint(partial[1])}; its bytes: {shown_bytes(head)})"
            elif head:
                extra = f" (an unfinished frame header arrived: {shown_bytes(head)})"
            elif writer.is_alive():
                extra = " (it was not even reading the request)"
            self.kill()
            return f"no response within {timeout:g} s{extra}; testee killed", "timeout", None
        if isinstance(item, bytes):
            return "", None, item
        if isinstance(item, FrameError):
            head = reader.recorder.head()
            self.kill()
            shown = f"; its bytes: {shown_bytes(head)}" if head else ""
            return f"{item}{shown}; testee killed", "protocol", None
        # End of stream: the testee exited (or closed stdout).
        code = self._exit_code(proc)
        if code is not None and self._stderr is not None:
            self._stderr.join(timeout=1.0)  # let it read what the testee wrote last
        tail = self._stderr_tail()
        self.kill()
        status = f"exited with status {code}" if code is not None else "closed its stdout"
        if code is not None and code < 0:
            with contextlib.suppress(ValueError):
                status = f"killed by signal {signal.Signals(-code).name}"
        return f"testee {status} without answering{tail}", "crash", None

    @staticmethod
    def _exit_code(proc: subprocess.Popen[bytes]) -> int | None:
        try:
            return proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return None

    def run(self, request: ExportRequest, timeout: float | None = None) -> CaseResult:
        """Sends one request; the response, or why there is none. Never raises for faults."""
        started = time.monotonic()
        try:
            self.ensure_started()
        except StartupError as e:
            return CaseResult(None, "startup", str(e), time.monotonic() - started)
        reader = self._reader
        assert reader is not None
        if not reader.frames.empty():
            # Frames nobody asked for: the stream is out of step; start afresh.
            self.notes.append(
                f"before case {request.case_name}: the testee had sent unsolicited frames; "
                "it was restarted"
            )
            self.kill()
            self.restarts_after_fault += 1
            try:
                self.ensure_started()
            except StartupError as e:
                return CaseResult(None, "startup", str(e), time.monotonic() - started)
        try:
            frame = encode_frame(request.SerializeToString(), self.max_frame_bytes)
        except ValueError as e:
            return CaseResult(None, "protocol", f"request not sent: {e}", 0.0)
        failure, kind, payload = self._exchange(frame, self.timeout if timeout is None else timeout)
        seconds = time.monotonic() - started
        if payload is None:
            self.restarts_after_fault += 1
            return CaseResult(None, kind, failure, seconds)
        response = ExportResponse()
        try:
            response.ParseFromString(payload)
        except DecodeError as e:
            self.kill()
            self.restarts_after_fault += 1
            preview = payload[:32].hex()
            frame_bytes = HEADER.pack(len(payload)) + payload[: SHOWN_BYTES + 1]
            return CaseResult(
                None,
                "protocol",
                f"garbage frame: {len(payload)} bytes (starting {preview}) are not an "
                f"ExportResponse ({e}); the frame's bytes: {shown_bytes(frame_bytes)}; "
                "testee killed",
                seconds,
            )
        if response.WhichOneof("result") is None:
            return CaseResult(
                None, "protocol", "the ExportResponse has neither an outcome nor skipped", seconds
            )
        if response.case_name and response.case_name != request.case_name:
            # An answer to another request: the stream is out of step.
            self.kill()
            self.restarts_after_fault += 1
            return CaseResult(
                None,
                "protocol",
                f"the response echoes case name {response.case_name!r}, not "
                f"{request.case_name!r}; testee killed",
                seconds,
            )
        return CaseResult(response, None, "", seconds)
