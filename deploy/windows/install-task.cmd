@echo off
rem Sets the dashboard up as a scheduled task that starts at boot (run once, "Run as administrator").
rem Task name: SupervisionDashboard. Remove it with uninstall-task.cmd.
setlocal
set "HERE=%~dp0"
set "BUNDLE=%~dp0..\..\.."
if not exist "%BUNDLE%\app\.venv\Scripts\dashboard.exe" (
  echo The dashboard is not installed yet: run  py -3 install.py --no-start  in %BUNDLE% first.
  exit /b 2
)
schtasks /Create /F /TN "SupervisionDashboard" /SC ONSTART /RU SYSTEM /RL HIGHEST /TR "\"%HERE%dashboard-serve.cmd\""
if errorlevel 1 (
  echo Could not create the task: right-click this file and choose "Run as administrator".
  exit /b 2
)
schtasks /Run /TN "SupervisionDashboard"
netsh advfirewall firewall add rule name="SupervisionDashboard 8501" dir=in action=allow protocol=TCP localport=8501 >nul
echo Done: the dashboard starts at every boot. Open http://localhost:8501/ ; store and logs are in C:\dashboard-data
