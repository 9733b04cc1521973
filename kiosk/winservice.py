"""The agent as a Windows service (pywin32, imported only on Windows).

The Windows part is thin: the agent loop is plain Python (`uketsuke agent`), this module only adapts the
Service Control Manager's start and stop to it and reports to the Event Log. Configuration and data live
in %ProgramData%\\Uketsuke (config\\uketsuke.toml, data, logs); the service runs under a dedicated local
account so it can reach the terminal's share by UNC path and read its own keyring entries.
"""

from __future__ import annotations

import sys
import threading
from pathlib import Path

SERVICE_NAME = "UketsukeAgent"
DISPLAY_NAME = "Uketsuke 受付エージェント"
DESCRIPTION = "顔認証結果の取り込み・患者の連携・受付・照会番号登録 / face results, linking, receptions, 照会番号"


def program_data() -> Path:
    from kiosk.settings import program_data_folder

    return program_data_folder()


def service_arguments() -> list[str]:
    return ["--config", str(program_data() / "config" / "uketsuke.toml"), "agent"]


def run_service_or_console() -> int:  # pragma: no cover - Windows only
    """Started by the SCM: host the service; started by a person with no arguments: explain the commands."""
    import servicemanager
    import win32service
    import win32serviceutil

    class AgentService(win32serviceutil.ServiceFramework):  # type: ignore[misc]
        _svc_name_ = SERVICE_NAME
        _svc_display_name_ = DISPLAY_NAME
        _svc_description_ = DESCRIPTION

        def __init__(self, args: list[str]) -> None:
            super().__init__(args)
            self.stop_event = threading.Event()

        def SvcStop(self) -> None:
            self.ReportServiceStatus(win32service.SERVICE_STOP_PENDING, waitHint=30_000)
            self.stop_event.set()

        def SvcDoRun(self) -> None:
            servicemanager.LogInfoMsg(f"{SERVICE_NAME} started")
            from kiosk.cli.main import run_agent_until

            code = run_agent_until(service_arguments(), self.stop_event)
            servicemanager.LogInfoMsg(f"{SERVICE_NAME} stopped ({code})")

    try:
        servicemanager.Initialize()
        servicemanager.PrepareToHostSingle(AgentService)
        servicemanager.StartServiceCtrlDispatcher()
    except Exception:  # not started by the SCM: a person ran the program without a command
        print("uketsuke.exe --help を参照してください / see uketsuke.exe --help", file=sys.stderr)
        return 2
    return 0
