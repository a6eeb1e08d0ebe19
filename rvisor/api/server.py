"""The control API's server: a FastAPI app over a :class:`Control` (one Host), served by uvicorn on a
UNIX socket in a background thread of ``rvisor up``.  Routes and errors: see ``rvisor.api``."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from rvisor.vmm import config as vmconfig

CONSOLE_REPLAY = 2048  # bytes of recent output a console attach shows first (the prompt, the last lines)
ACTIONS = {"pause": "pause", "resume": "resume", "stop": "stop"}
PATCH_STATES = {"paused": "pause", "running": "resume", "stopped": "stop"}


class ApiError(Exception):
    """A request that cannot be done: its HTTP status and a one-line message."""

    # runs when a route refuses a request
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class Control:
    """What the API may do to one Host: its VMs by name and their settings, safe from any thread."""

    host: Any
    base: Path  # relative paths in a create request are relative to this folder (the file's)
    clock: str = "realtime"
    vms: dict[str, Any] = field(default_factory=dict)
    specs: dict[str, vmconfig.VMSpec] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    # runs when rvisor up creates the VMs of its file (and for each API create)
    def add(self, spec: vmconfig.VMSpec, vm: Any) -> None:
        with self.lock:
            self.vms[spec.name] = vm
            self.specs[spec.name] = spec

    # runs for every route that names a VM
    def vm(self, name: str) -> Any:
        with self.lock:
            vm = self.vms.get(name)
        if vm is None:
            known = ", ".join(sorted(self.vms)) or "none"
            raise ApiError(404, f"no VM named {name!r} (VMs: {known})")
        return vm

    # runs for GET /vms and GET /vms/NAME: the VM's counters, as rvisor up's table shows them
    def info(self, name: str, settings: bool = False) -> dict[str, Any]:
        vm = self.vm(name)
        data = dict(vm.stats())
        data["state"] = _state_name(data.get("state", vm.state))
        if settings and name in self.specs:
            data["config"] = self.specs[name].as_dict()
        return data

    # runs for GET /vms
    def list(self) -> list[dict[str, Any]]:
        with self.lock:
            names = list(self.vms)
        return [self.info(n) for n in names]

    # runs for PUT /vms/NAME: check the keys as the file's, create the VM, start it
    def create(self, name: str, table: Any) -> dict[str, Any]:
        from rvisor.vmm import VMError

        if not isinstance(table, dict):
            raise ApiError(400, f"PUT /vms/{name}: the body must be a JSON object with the keys of a "
                                "[vm.NAME] table (kernel, memory, ...)")
        try:
            spec = vmconfig.parse_vm_table(name, table, self.base, source=f"PUT /vms/{name}")
            if spec.console == "stdio":
                raise ApiError(400, f"PUT /vms/{name}: vm.{name}.console: \"stdio\" is only for a VM of the "
                                    "file given to rvisor up; use \"none\" or \"file:PATH\" and attach with "
                                    f"'rvisor console {name}'")
            with self.lock:
                if name in self.vms:
                    raise ApiError(409, f"a VM named {name!r} exists already (state "
                                        f"{_state_name(self.vms[name].state)}); DELETE it first")
                others = [s for n, s in self.specs.items() if n in self.vms]
                vmconfig.check_shared(others + [spec], source=f"PUT /vms/{name}")
                vm = self.host.create(spec.vm_config())
                self.vms[name] = vm
                self.specs[name] = spec
        except vmconfig.ConfigError as e:
            raise ApiError(400, str(e)) from None
        except VMError as e:
            raise ApiError(400, f"PUT /vms/{name}: {e}") from None
        try:
            vm.start()
        except VMError as e:
            raise ApiError(409, f"PUT /vms/{name}: created but not started: {e}") from None
        return self.info(name, settings=True)

    # runs for PATCH /vms/NAME and POST /vms/NAME/actions: pause, resume or stop
    def act(self, name: str, action: str) -> dict[str, Any]:
        from rvisor.vmm import VMError

        vm = self.vm(name)
        try:
            getattr(vm, action)()
        except VMError as e:
            raise ApiError(409, f"{action} {name}: {e}") from None
        return self.info(name)

    # runs for DELETE /vms/NAME: stop it when it runs, then destroy it (its pages go back to the host)
    def destroy(self, name: str) -> None:
        from rvisor.vmm import VMError

        vm = self.vm(name)
        try:
            if _state_name(vm.state) in ("running", "paused"):
                vm.stop()
            self.host.destroy(name)
        except VMError as e:
            raise ApiError(409, f"destroy {name}: {e}") from None
        with self.lock:
            self.vms.pop(name, None)
            self.specs.pop(name, None)


# runs whenever a VMState (or its name) is shown: "running", "paused", ...
def _state_name(state: Any) -> str:
    value = getattr(state, "value", state)
    return str(getattr(state, "name", value) if not isinstance(value, str) else value).lower()


# runs once per rvisor up: the app with every route bound to one Control
def make_app(control: Control) -> FastAPI:
    app = FastAPI(title="rvisor control API", version="1",
                  description="Lists, creates, pauses, resumes, stops and destroys the VMs of one rvisor up.")

    # runs when a route raises ApiError: Firecracker's error shape
    @app.exception_handler(ApiError)
    async def api_error(_request: Any, exc: ApiError) -> JSONResponse:
        return JSONResponse(status_code=exc.status, content={"fault_message": exc.message})

    # runs for GET /machine
    @app.get("/machine")
    def machine() -> dict[str, Any]:
        data = {k: v for k, v in control.host.stats().items() if k != "vms"}
        data.update(pid=os.getpid(), vms=sorted(control.vms))
        return data

    # runs for GET /vms
    @app.get("/vms")
    def list_vms() -> list[dict[str, Any]]:
        return control.list()

    # runs for GET /vms/NAME
    @app.get("/vms/{name}")
    def get_vm(name: str) -> dict[str, Any]:
        return control.info(name, settings=True)

    # runs for PUT /vms/NAME
    @app.put("/vms/{name}", status_code=201)
    async def put_vm(name: str, request: Request) -> dict[str, Any]:
        body = await _json_body(request, f"PUT /vms/{name}")
        return await run_in_threadpool(control.create, name, body)

    # runs for PATCH /vms/NAME {"state": "paused" | "running" | "stopped"}
    @app.patch("/vms/{name}")
    async def patch_vm(name: str, request: Request) -> dict[str, Any]:
        body = await _json_body(request, f"PATCH /vms/{name}")
        state = body.get("state") if isinstance(body, dict) else None
        if not isinstance(body, dict) or set(body) - {"state"} or state not in PATCH_STATES:
            raise ApiError(400, f"PATCH /vms/{name}: the body must be {{\"state\": S}} with S one of "
                                + ", ".join(PATCH_STATES))
        return await run_in_threadpool(control.act, name, PATCH_STATES[state])

    # runs for POST /vms/NAME/actions {"action": "pause" | "resume" | "stop"}
    @app.post("/vms/{name}/actions")
    async def post_action(name: str, request: Request) -> dict[str, Any]:
        body = await _json_body(request, f"POST /vms/{name}/actions")
        action = body.get("action") if isinstance(body, dict) else None
        if action not in ACTIONS:
            raise ApiError(400, f"POST /vms/{name}/actions: the body must be {{\"action\": A}} with A one of "
                                + ", ".join(ACTIONS))
        return await run_in_threadpool(control.act, name, ACTIONS[action])

    # runs for DELETE /vms/NAME
    @app.delete("/vms/{name}", status_code=204)
    def delete_vm(name: str) -> None:
        control.destroy(name)

    # runs for each console attach: the VM's output to the client, the client's input to the VM
    @app.websocket("/vms/{name}/console")
    async def console(ws: WebSocket, name: str) -> None:
        await ws.accept()
        try:
            vm = control.vm(name)
        except ApiError as e:
            await ws.close(code=4404, reason=e.message[:120])
            return
        state = _state_name(vm.state)
        if state not in ("running", "paused", "created"):
            await ws.close(code=4409, reason=f"VM {name!r} is {state}; nothing to attach to")
            return
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[bytes] = asyncio.Queue()

        # runs in the VMM's thread for every chunk of output the VM's UART sends
        def on_output(data: bytes) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, bytes(data))

        replay = vm.console.output()[-CONSOLE_REPLAY:]
        vm.console.subscribe(on_output)
        try:
            if replay:
                await ws.send_bytes(replay)
            reader = asyncio.create_task(_console_input(ws, vm))
            while not reader.done():
                try:
                    data = await asyncio.wait_for(queue.get(), timeout=0.2)
                except asyncio.TimeoutError:
                    if _state_name(vm.state) in ("stopped", "destroyed"):
                        break
                    continue
                while not queue.empty():
                    data += queue.get_nowait()
                await ws.send_bytes(data)
            reader.cancel()
            with contextlib.suppress(Exception):
                while not queue.empty():
                    await ws.send_bytes(queue.get_nowait())
                await ws.close(code=1000, reason=f"VM {name!r} is {_state_name(vm.state)}")
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            vm.console.unsubscribe(on_output)

    return app


# runs for every request with a body: JSON whatever the Content-Type says (curl -d sends a form type)
async def _json_body(request: Request, what: str) -> Any:
    raw = await request.body()
    if not raw.strip():
        raise ApiError(400, f"{what}: the request has no body (a JSON object)")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, f"{what}: the body is not JSON ({e})") from None


# runs for the life of one console attach: what the client types goes to the VM's UART
async def _console_input(ws: WebSocket, vm: Any) -> None:
    with contextlib.suppress(WebSocketDisconnect, RuntimeError):
        while True:
            msg = await ws.receive()
            if msg.get("type") == "websocket.disconnect":
                return
            data = msg.get("bytes") or (msg.get("text") or "").encode()
            if data:
                vm.console.send(data)


class ApiServer:
    """uvicorn serving the app on a UNIX socket in a daemon thread; ``close()`` stops, unlinks."""

    # runs once per rvisor up, after its VMs are created
    def __init__(self, control: Control, path: Path) -> None:
        import uvicorn

        self.path = Path(path)
        if self.path.exists() or self.path.is_symlink():
            from rvisor.api import socket_alive

            if socket_alive(self.path):
                raise OSError(f"{self.path} is the socket of another running rvisor up")
            self.path.unlink()
        config = uvicorn.Config(make_app(control), uds=str(self.path), log_level="warning",
                                lifespan="off", ws="auto", access_log=False)
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, name="rvisor-api", daemon=True)

    # runs right after construction: serve, and wait until the socket answers
    def start(self, timeout: float = 10.0) -> None:
        self.thread.start()
        deadline = time.monotonic() + timeout
        while not self.server.started:
            if not self.thread.is_alive():
                raise OSError(f"the control API could not listen on {self.path}")
            if time.monotonic() > deadline:
                raise OSError(f"the control API did not start on {self.path} within {timeout:g} s")
            time.sleep(0.01)
        with contextlib.suppress(OSError):
            os.chmod(self.path, 0o600)

    # runs when rvisor up ends (also on errors): stop serving, remove the socket
    def close(self) -> None:
        self.server.should_exit = True
        if self.thread.is_alive():
            self.thread.join(timeout=5.0)
        with contextlib.suppress(OSError):
            self.path.unlink()
