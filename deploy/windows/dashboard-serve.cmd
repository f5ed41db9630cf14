@echo off
rem Runs the dashboard and restarts it if it stops (started by the scheduled task of install-task.cmd).
rem Program folder: the unpacked offline bundle, e.g. C:\dashboard (this file is in app\deploy\windows).
rem Store and logs live in DATA (outside the program folder, so an upgrade never touches them):
rem DATA\supervision.duckdb, DATA\backups\, DATA\logs\dashboard.log (10 MB x 5 files, rotated).
setlocal
set "BUNDLE=%~dp0..\..\.."
if not defined DASHBOARD_DATA set "DASHBOARD_DATA=C:\dashboard-data"
if not defined DASHBOARD_DB set "DASHBOARD_DB=%DASHBOARD_DATA%\supervision.duckdb"
set "NUMBA_CACHE_DIR=%DASHBOARD_DATA%\numba-cache"
if not exist "%DASHBOARD_DATA%\logs" mkdir "%DASHBOARD_DATA%\logs"
:loop
"%BUNDLE%\app\.venv\Scripts\dashboard.exe" serve --host 0.0.0.0 --port 8501 --log-file "%DASHBOARD_DATA%\logs\dashboard.log"
echo %date% %time% dashboard stopped with exit code %errorlevel%, restarting in 10 s >> "%DASHBOARD_DATA%\logs\restarts.log"
timeout /t 10 /nobreak >nul
goto loop
